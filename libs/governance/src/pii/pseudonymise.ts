import { piiLabel, type PiiType } from './pii-types';

/**
 * Placeholder → original value, e.g. `{ "[EMAIL_1]": "ann@example.com" }`. It holds the
 * very values the policy hides, so the caller stores it only encrypted, with the job.
 */
export type PseudonymMapping = Readonly<Record<string, string>>;

const PLACEHOLDER = /\[([A-Z][A-Z0-9_]*)_([1-9]\d*)\]/g;
const WHOLE_PLACEHOLDER = /^\[([A-Z][A-Z0-9_]*)_([1-9]\d*)\]$/;

/**
 * Hands out `[EMAIL_1]`, `[EMAIL_2]`... for one job: the same value always gets the same
 * placeholder, so the model can still tell "the same person" from "another person".
 */
export class PseudonymTable {
  private readonly byKey = new Map<string, string>();
  private readonly byPlaceholder = new Map<string, string>();
  private readonly lastIndex = new Map<string, number>();

  /** Continues numbering from an earlier mapping of the same job (e.g. a later turn). */
  constructor(seed: PseudonymMapping = {}) {
    for (const [placeholder, value] of Object.entries(seed)) {
      const parsed = WHOLE_PLACEHOLDER.exec(placeholder);
      if (parsed === null) continue;
      const [, label, n] = parsed;
      this.byPlaceholder.set(placeholder, value);
      this.byKey.set(`${label}\u0000${value}`, placeholder);
      this.lastIndex.set(label, Math.max(Number(n), this.lastIndex.get(label) ?? 0));
    }
  }

  placeholderFor(type: PiiType, value: string): string {
    const label = piiLabel(type);
    const key = `${label}\u0000${value}`;
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const n = (this.lastIndex.get(label) ?? 0) + 1;
    const placeholder = `[${label}_${n}]`;
    this.lastIndex.set(label, n);
    this.byKey.set(key, placeholder);
    this.byPlaceholder.set(placeholder, value);
    return placeholder;
  }

  mapping(): PseudonymMapping {
    return Object.fromEntries(this.byPlaceholder);
  }
}

/** Puts the original values back wherever the model repeated a placeholder. */
export function restorePseudonyms(text: string, mapping: PseudonymMapping): string {
  return text.replace(PLACEHOLDER, (placeholder) =>
    Object.hasOwn(mapping, placeholder) ? mapping[placeholder] : placeholder,
  );
}

/** Longer than any placeholder the gateway writes (`[PRIVATE_KEY_999999]`): past it, `[…` is text. */
const MAX_PLACEHOLDER_LENGTH = 32;
/** A placeholder's beginning at the very end of a text: `[`, `[EM`, `[EMAIL_`, `[EMAIL_1`. */
const PARTIAL_AT_END = /\[(?:[A-Z][A-Z0-9_]*)?$/;

/**
 * Re-cuts streamed text so no placeholder is split between two pieces: what `push` returns
 * holds only whole placeholders, and a possible beginning of one waits for the next piece
 * (or `end`). Each piece can then be restored on its own, wherever the stream is read.
 */
export class PlaceholderSafeSplitter {
  private held = '';

  push(text: string): string {
    const all = this.held + text;
    const m = PARTIAL_AT_END.exec(all);
    if (m === null || all.length - m.index > MAX_PLACEHOLDER_LENGTH) {
      this.held = '';
      return all;
    }
    this.held = all.slice(m.index);
    return all.slice(0, m.index);
  }

  /** What is still held when the stream ends. */
  end(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }
}
