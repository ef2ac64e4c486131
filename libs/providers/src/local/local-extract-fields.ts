import { mainType, type JsonSchema } from './local-json-schema';
import type { Match } from './local-match';
import { escapeRegExp, rankByLabel, type TextScanner } from './local-scanner';
import { nameWords, stem, STOPWORDS, words } from './local-text';

/**
 * One value a field could take. `at` is the text offset of a pattern match, so the object
 * extractor can give each match to one field only; `labelled` marks a match that follows
 * a mention of the field's own words and so beats unlabelled guesses.
 */
export interface Candidate {
  readonly value: unknown;
  readonly at?: number;
  readonly labelled: boolean;
}

type Kind = 'email' | 'url' | 'phone' | 'currency' | 'datetime' | 'date' | 'company' | 'name';

/** Kinds a string field can be, most specific first; the first whose hint matches wins. */
const STRING_HINTS: readonly [Kind | 'amount', RegExp][] = [
  ['email', /\be-?mail\b|\bmail\b/],
  ['url', /\b(?:url|link|website|homepage|site|uri|web)\b/],
  ['phone', /\b(?:phone|tel|telephone|mobile|cell|fax)\b/],
  ['currency', /\bcurrency\b/],
  ['datetime', /\b(?:timestamp|datetime)\b/],
  ['date', /\b(?:date|deadline|due|birthday|dob|expiry|expires|day|when)\b/],
  ['company', /\b(?:company|organization|organisation|employer|vendor|merchant|business)\b/],
  ['name', /\b(?:name|person|customer|sender|contact|author|recipient|signatory)\b/],
  [
    'amount',
    /\b(?:amount|price|total|cost|fee|salary|payment|balance|budget|subtotal|tax|deposit)\b/,
  ],
];
const AMOUNT_HINT = STRING_HINTS[STRING_HINTS.length - 1][1];
const FORMAT_KIND: Record<string, Kind> = {
  email: 'email',
  'idn-email': 'email',
  uri: 'url',
  url: 'url',
  iri: 'url',
  date: 'date',
  'date-time': 'datetime',
};

/** A schema property with what the extractor knows about it from its name and description. */
export interface Field {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly hint: string;
  readonly labels: readonly number[];
}

export function fieldOf(name: string, schema: JsonSchema, scanner: TextScanner): Field {
  const own = nameWords(name);
  const hint = [...own, ...words(schema.description ?? '')].join(' ');
  const labels = [own.join(' '), ...own]
    .filter((w) => w.length > 2 && !STOPWORDS.has(w))
    .flatMap((w) => scanner.mentions(w));
  return { name, schema, hint, labels };
}

/** What a string field holds, from its format, else its name, else its description. */
export function stringKind(f: Field): Kind | 'amount' | 'text' {
  const byFormat = f.schema.format ? FORMAT_KIND[f.schema.format] : undefined;
  if (byFormat) return byFormat;
  for (const text of [nameWords(f.name).join(' '), f.hint]) {
    for (const [kind, re] of STRING_HINTS) if (re.test(text)) return kind;
  }
  return 'text';
}

const NAME_START = /^\p{Lu}[\p{L}'’]+(?:[ -]\p{Lu}[\p{L}'’]+){0,3}/u;
const NAME_INTRO =
  /(?:[Mm]y name is|[Nn]ame:|I am|I'm|[Tt]his is|[Rr]egards,|[Ss]incerely,|[Tt]hanks,|[Ff]rom:|[Dd]ear|Mrs?\.?|Ms\.?|Dr\.?)\s+(\p{Lu}\p{Ll}+(?:[ -]\p{Lu}\p{Ll}+){0,3})/u;
const COMPANY =
  /\p{Lu}[\p{L}&.-]*(?:\s+\p{Lu}[\p{L}&.-]*){0,4}\s+(?:Inc|Ltd|LLC|GmbH|AG|SA|SAS|BV|Corp|Corporation|Limited|PLC)\b\.?/u;

/** "Order number: A-17" style values for a field named like the label. */
function labelledValue(f: Field, scanner: TextScanner): string | undefined {
  const parts = nameWords(f.name).map(escapeRegExp);
  if (!parts.length) return undefined;
  const re = new RegExp(
    `(?<![\\p{L}\\p{N}])${parts.join('[\\s_-]*')}\\s*(?:is|was|are|:|=|-|–)\\s*([^\\n;]+?)(?:[.;](?:\\s|$)|\\n|$)`,
    'iu',
  );
  const value = re
    .exec(scanner.text)?.[1]
    ?.trim()
    .replace(/^["'“]|["'”]$/g, '');
  return value ? value.slice(0, 200) : undefined;
}

function textCandidates(f: Field, kind: 'name' | 'company' | 'text', s: TextScanner): Candidate[] {
  let labelled = labelledValue(f, s);
  // "name is Jane Doe from Acme" names Jane Doe: keep the capitalised run only.
  if (labelled && kind !== 'text') labelled = NAME_START.exec(labelled)?.[0];
  if (labelled) return [{ value: labelled, labelled: true }];
  const m =
    kind === 'company' ? COMPANY.exec(s.text) : kind === 'name' ? NAME_INTRO.exec(s.text) : null;
  return m ? [{ value: (m[1] ?? m[0]).trim(), at: m.index, labelled: false }] : [];
}

function findBoolean(f: Field, scanner: TextScanner): boolean | undefined {
  // `isUrgent` is mentioned as "urgent".
  const phrase = nameWords(f.name)
    .filter((w, i) => i > 0 || !['is', 'has', 'was', 'can'].includes(w))
    .join(' ');
  const at = scanner.mentions(phrase)[0];
  if (at === undefined) return undefined;
  const after = scanner.lower.slice(at + phrase.length, at + phrase.length + 24);
  const explicit = /^\s*(?:[:=?]|is|was)?\s*(yes|true|y|no|false|n)\b/.exec(after);
  if (explicit) return ['yes', 'true', 'y'].includes(explicit[1]);
  const before = words(scanner.lower.slice(Math.max(0, at - 24), at)).slice(-3);
  return !before.some(
    (w) => ['not', 'no', 'never', 'non', 'without'].includes(w) || w.endsWith("n't"),
  );
}

function enumCandidates(f: Field, scanner: TextScanner, values: readonly unknown[]): Candidate[] {
  const hits: Match<unknown>[] = [];
  for (const value of values) {
    const at = scanner.mentions(String(value).toLowerCase())[0];
    if (at !== undefined) hits.push({ value, raw: String(value), index: at, end: at });
  }
  if (!hits.length) {
    // Inflected mentions ("urgently" for "urgent") still name the value.
    const textStems = new Set(words(scanner.text).map(stem));
    for (const value of values) {
      if (textStems.has(stem(String(value)))) hits.push({ value, raw: '', index: 0, end: 0 });
    }
  }
  hits.sort((a, b) => a.index - b.index);
  return rankByLabel(hits, f.labels).map((r) => ({ value: r.match.value, labelled: r.labelled }));
}

function ranked<V>(f: Field, matches: readonly Match<V>[], map: (v: V) => unknown): Candidate[] {
  return rankByLabel(matches, f.labels).map((r) => ({
    value: map(r.match.value),
    at: r.match.index,
    labelled: r.labelled,
  }));
}

/** Every value of the field's kind found in text, best candidate first. */
export function fieldCandidates(f: Field, scanner: TextScanner): Candidate[] {
  const s = f.schema;
  if (s.enum && s.enum.length) return enumCandidates(f, scanner, s.enum);
  const type = mainType(s);
  if (type === 'number' || type === 'integer') {
    const round = type === 'integer' ? Math.round : (n: number) => n;
    // An amount field prefers money ("total: $40"); other numbers take money or plain
    // numbers, whichever follows the label, so "deposit was EUR 200" still reads 200.
    const amounts = scanner.amounts().map((a) => ({ ...a, value: a.value.amount }));
    const pool =
      AMOUNT_HINT.test(f.hint) && amounts.length
        ? amounts
        : [...amounts, ...scanner.numbers()].sort((a, b) => a.index - b.index);
    return ranked(f, pool, round);
  }
  if (type === 'boolean') {
    const b = findBoolean(f, scanner);
    return b === undefined ? [] : [{ value: b, labelled: true }];
  }
  const kind = stringKind(f);
  switch (kind) {
    case 'email':
      return ranked(f, scanner.emails(), (v) => v);
    case 'url':
      return ranked(f, scanner.urls(), (v) => v);
    case 'phone':
      return ranked(f, scanner.phones(), (v) => v);
    case 'currency':
      // A currency is read off an amount's span without using the amount up.
      return ranked(f, scanner.currencies(), (v) => v).map((c) => ({ ...c, at: undefined }));
    case 'date':
      return ranked(f, scanner.dates(), (d) => d.date);
    case 'datetime':
      return ranked(f, scanner.dates(), (d) => `${d.date}T${d.time ?? '00:00:00Z'}`);
    case 'amount':
      return ranked(
        f,
        scanner.amounts(),
        (a) => `${a.amount}${a.currency ? ` ${a.currency}` : ''}`,
      );
    case 'company':
    case 'name':
    case 'text':
      return textCandidates(f, kind, scanner);
  }
}
