import { all, dropOverlaps, type Match } from './local-match';

/* Pattern finders for the extractor: each returns every match in text order with its span. */

export function findEmails(text: string): Match[] {
  return all(text, /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu, (m) =>
    m[0].toLowerCase(),
  );
}

export function findUrls(text: string): Match[] {
  return all(text, /\bhttps?:\/\/[^\s<>"'`]+|\bwww\.[^\s<>"'`]+/gi, (m) => {
    const url = m[0].replace(/[.,;:!?)\]]+$/, '');
    return url.startsWith('www.') ? `https://${url}` : url;
  }).map((m) => ({ ...m, raw: m.raw.replace(/[.,;:!?)\]]+$/, '') }));
}

/** Parses "1,234.50", "1.234,50", "1 234" and "12,5" as the writer meant them. */
export function parseNumber(raw: string): number | undefined {
  let s = raw.replace(/[\s\u00a0']/g, '');
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  if (lastComma >= 0 && lastDot >= 0) {
    const decimal = lastComma > lastDot ? ',' : '.';
    s = s
      .split(decimal === ',' ? '.' : ',')
      .join('')
      .replace(',', '.');
  } else if (lastComma >= 0) {
    s = /^-?\d{1,3}(?:,\d{3})+$/.test(s) ? s.replace(/,/g, '') : s.replace(',', '.');
  } else if (/^-?\d{1,3}(?:\.\d{3}){2,}$/.test(s)) {
    s = s.replace(/\./g, '');
  }
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

export interface Amount {
  readonly amount: number;
  readonly currency?: string;
}

const CODES = 'USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|INR|CNY|SEK|NOK|DKK|PLN|BRL|MXN|ZAR|SGD|HKD';
const SYMBOLS: Record<string, string> = {
  $: 'USD',
  US$: 'USD',
  '€': 'EUR',
  '£': 'GBP',
  '¥': 'JPY',
  '₹': 'INR',
};
const WORDS: Record<string, string> = {
  dollar: 'USD',
  euro: 'EUR',
  pound: 'GBP',
  yen: 'JPY',
  rupee: 'INR',
};
const NUM = String.raw`(\d{1,3}(?:[,.\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)`;
const SCALE: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  million: 1e6,
  bn: 1e9,
  billion: 1e9,
};
const SCALE_RE = String.raw`(?:\s?(k|m|bn|thousand|million|billion)\b)?`;

function amount(rawNum: string, scale: string | undefined, currency: string | undefined) {
  const n = parseNumber(rawNum);
  if (n === undefined) return undefined;
  const factor = scale ? SCALE[scale.toLowerCase()] : 1;
  return { amount: Math.round(n * factor * 100) / 100, ...(currency ? { currency } : {}) };
}

export function findAmounts(text: string): Match<Amount>[] {
  const prefix = new RegExp(`(?:\\b(${CODES})\\s?|(US\\$|[$€£¥₹]))\\s?${NUM}${SCALE_RE}`, 'g');
  const suffix = new RegExp(
    `${NUM}${SCALE_RE}\\s?(?:(${CODES})\\b|([€£$])|(dollar|euro|pound|yen|rupee)s?\\b)`,
    'gi',
  );
  const found = [
    ...all(text, prefix, (m) => amount(m[3], m[4], m[1] ?? SYMBOLS[m[2]])),
    ...all(text, suffix, (m) =>
      amount(
        m[1],
        m[2],
        m[3]?.toUpperCase() ?? SYMBOLS[m[4] ?? ''] ?? WORDS[m[5]?.toLowerCase() ?? ''],
      ),
    ),
  ];
  return dropOverlaps(found.sort((a, b) => a.index - b.index));
}

export function findCurrencyCodes(text: string): Match[] {
  return all(text, new RegExp(`\\b(${CODES})\\b`, 'g'), (m) => m[1]);
}

export function findPhones(text: string): Match[] {
  const re =
    /(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,5}){1,4}(?![\w])/g;
  return all(text, re, (m) => {
    const digits = m[0].replace(/\D/g, '');
    // Plain digit runs are numbers, not phones: require a +, parentheses or grouping.
    const shaped = /[+(]/.test(m[0]) || /\d[\s.-]\d/.test(m[0]);
    return digits.length >= 7 && digits.length <= 15 && shaped ? m[0].trim() : undefined;
  });
}

export function findNumbers(text: string): Match<number>[] {
  // Digits glued to letters or hyphens ("A-1734", "v2") are identifiers, not numbers.
  return all(text, /(?<![\w.,-])-?\d+(?:[.,]\d+)*(?![\w-])/g, (m) => parseNumber(m[0]));
}
