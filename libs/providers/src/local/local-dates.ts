import { all, dropOverlaps, type Match } from './local-match';

/**
 * Dates in the forms people write them (ISO, "5 March 2026", "March 5th, 2026",
 * "2026/03/05", "03/05/2026", "05.03.2026"), normalised to ISO and checked against the
 * calendar, so "31 February" is not a date.
 */

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
};
const MONTH =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

const pad = (n: number) => String(n).padStart(2, '0');

/** YYYY-MM-DD when the parts name a real calendar day. */
function isoDay(y: number, m: number, d: number): string | undefined {
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d)
    return undefined;
  return `${y}-${pad(m)}-${pad(d)}`;
}

/** A date found in text, normalised to ISO; `time` is set only when the text gave one. */
export interface FoundDate {
  readonly date: string;
  readonly time?: string;
}

const DATE_PATTERNS: readonly [RegExp, (m: RegExpExecArray) => FoundDate | undefined][] = [
  [
    /\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?\b/g,
    (m) => {
      const date = isoDay(+m[1], +m[2], +m[3]);
      if (!date) return undefined;
      if (m[4] === undefined) return { date };
      const zone = m[7] === undefined ? 'Z' : m[7].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
      return { date, time: `${m[4]}:${m[5]}:${m[6] ?? '00'}${zone}` };
    },
  ],
  [
    new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?(?:\\s+of)?\\s+${MONTH}\\.?,?\\s+(\\d{4})\\b`, 'gi'),
    (m) => opt(isoDay(+m[3], MONTHS[m[2].toLowerCase()], +m[1])),
  ],
  [
    new RegExp(`\\b${MONTH}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'gi'),
    (m) => opt(isoDay(+m[3], MONTHS[m[1].toLowerCase()], +m[2])),
  ],
  [/\b(\d{4})\/(\d{1,2})\/(\d{1,2})\b/g, (m) => opt(isoDay(+m[1], +m[2], +m[3]))],
  [
    // Slashes read month first (US) unless the first part cannot be a month; dots and
    // dashes are the European day-first forms.
    /\b(\d{1,2})([/.-])(\d{1,2})\2(\d{4})\b/g,
    (m) => {
      const [a, b, y] = [+m[1], +m[3], +m[4]];
      const dayFirst = m[2] !== '/' || a > 12;
      return opt(dayFirst ? isoDay(y, b, a) : isoDay(y, a, b));
    },
  ],
];

function opt(date: string | undefined): FoundDate | undefined {
  return date ? { date } : undefined;
}

export function findDates(text: string): Match<FoundDate>[] {
  const found = DATE_PATTERNS.flatMap(([re, map]) => all(text, re, map));
  return dropOverlaps(found.sort((a, b) => a.index - b.index));
}
