import { findDates, type FoundDate } from './local-dates';
import { unclaimed, type Match } from './local-match';
import {
  findAmounts,
  findCurrencyCodes,
  findEmails,
  findNumbers,
  findPhones,
  findUrls,
  type Amount,
} from './local-patterns';

/**
 * One text's pattern matches, computed on first use and shared by every field of a schema.
 * Kinds are claimed in order of specificity (URLs, emails, dates, amounts, phones, plain
 * numbers) so a span matched by one kind is not offered again as a looser one.
 */
export class TextScanner {
  readonly lower: string;
  private cache = new Map<string, Match<unknown>[]>();

  constructor(readonly text: string) {
    this.lower = text.toLowerCase();
  }

  private memo<V>(key: string, compute: () => Match<V>[]): Match<V>[] {
    let v = this.cache.get(key);
    if (!v) {
      v = compute();
      this.cache.set(key, v);
    }
    return v as Match<V>[];
  }

  urls(): Match[] {
    return this.memo('urls', () => findUrls(this.text));
  }

  emails(): Match[] {
    return this.memo('emails', () => unclaimed(findEmails(this.text), this.urls()));
  }

  dates(): Match<FoundDate>[] {
    return this.memo('dates', () =>
      unclaimed(findDates(this.text), [...this.urls(), ...this.emails()]),
    );
  }

  amounts(): Match<Amount>[] {
    return this.memo('amounts', () =>
      unclaimed(findAmounts(this.text), [...this.urls(), ...this.emails(), ...this.dates()]),
    );
  }

  phones(): Match[] {
    return this.memo('phones', () =>
      unclaimed(findPhones(this.text), [
        ...this.urls(),
        ...this.emails(),
        ...this.dates(),
        ...this.amounts(),
      ]),
    );
  }

  numbers(): Match<number>[] {
    return this.memo('numbers', () =>
      unclaimed(findNumbers(this.text), [
        ...this.urls(),
        ...this.emails(),
        ...this.dates(),
        ...this.amounts(),
        ...this.phones(),
      ]),
    );
  }

  currencies(): Match[] {
    return this.memo('currencies', () => {
      const fromAmounts = this.amounts()
        .filter((a) => a.value.currency)
        .map((a) => ({ ...a, value: a.value.currency! }));
      return fromAmounts.length ? fromAmounts : findCurrencyCodes(this.text);
    });
  }

  /** Start offsets of every whole-word occurrence of the phrase (lower-cased). */
  mentions(phrase: string): number[] {
    if (!phrase) return [];
    const out: number[] = [];
    const re = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(phrase)}(?![\\p{L}\\p{N}])`, 'gu');
    for (const m of this.lower.matchAll(re)) out.push(m.index);
    return out;
  }
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A match offered to a field, and whether it follows a mention of the field's label. */
export interface Ranked<V> {
  readonly match: Match<V>;
  readonly labelled: boolean;
}

/**
 * Orders matches by how likely a field means them: first the one that most closely follows
 * a mention of the field's words ("Total: $40" for `total`), then the rest in text order.
 */
export function rankByLabel<V>(
  matches: readonly Match<V>[],
  labelPositions: readonly number[],
  window = 80,
): Ranked<V>[] {
  let best: Match<V> | undefined;
  let bestDistance = Infinity;
  for (const m of matches) {
    for (const p of labelPositions) {
      const d = m.index - p;
      if (d >= 0 && d <= window && d < bestDistance) {
        best = m;
        bestDistance = d;
      }
    }
  }
  const rest = matches.filter((m) => m !== best).map((match) => ({ match, labelled: false }));
  return best ? [{ match: best, labelled: true }, ...rest] : rest;
}
