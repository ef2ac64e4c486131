import type { PiiFinding } from '../pii-types';
import { collect, digitCount, precededBy } from './scan';

// Local part (apostrophes allowed inside: `o'neil@`) and dot-separated domain labels with an
// alphabetic TLD. The look-arounds keep `user@localhost`, `@mentions`, addresses glued to
// other words and URL credentials (`https://token@host`) out.
const EMAIL =
  /(?<![\w.%+\-@']|:\/\/)[A-Za-z0-9](?:[A-Za-z0-9._%+'-]{0,62}[A-Za-z0-9_%+-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w\-@]|\.[A-Za-z0-9])/g;

export function detectEmails(text: string): PiiFinding[] {
  return collect(text, EMAIL, 'email', (m) => !/\.\./.test(m[0]));
}

// `+CC` then digits, each optionally after one separator, with `(0)` / `(415)` groups. One
// digit per step keeps the regex linear; the length and grouping rules live in code.
const INTERNATIONAL = /(?<![\w+])\+\d(?:[ .-]?(?:\d|\(\d{1,4}\)))*/g;

// North American Numbering Plan: area code and exchange never start with 0 or 1, and a
// separator is required so a bare ten-digit run (an order number) is not taken.
const NANP =
  /(?<![\w+\-./])(?:1[ .-])?(?:\([2-9]\d{2}\)[ .-]?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}(?![\w]|[.\-/:]\d)/g;

// National numbers written with the trunk prefix 0 (UK, most of Europe, Australia...):
// `020 7946 0958`, `01 23 45 67 89`, `(030) 901820`.
const TRUNK_ZERO =
  /(?<![\w+\-./])(?:\(0\d{1,4}\)|0\d{1,4})(?:[ .-]\d{2,8}){1,4}(?![\w]|[.\-/:]\d)/g;

// Words that make a phone-shaped number an identifier instead (`SKU 0712-3344-55`).
const IDENTIFIER_CONTEXT =
  /(?:\b(?:sku|part|product|model|serial|order|invoice|ref|reference|ticket|tracking|item|batch|lot|isbn|p\/n)\b|#)[\s.:#-]*$/i;

export function detectPhones(text: string): PiiFinding[] {
  // After `4 ` or `12-` the digits continue a longer number (an IBAN, a reference).
  const notAnIdentifier = (m: RegExpExecArray): boolean =>
    !precededBy(text, m.index, IDENTIFIER_CONTEXT) && !precededBy(text, m.index, /\d[ .-]$/);
  return [
    ...collect(text, INTERNATIONAL, 'phone', (m) => {
      const next = text.charAt(m.index + m[0].length);
      if (/\w/.test(next)) return false;
      const digits = digitCount(m[0].replace('(0)', ''));
      const groups = m[0].split(/[ .-]|(?=\()|(?<=\))/).filter(Boolean).length;
      return digits >= 8 && digits <= 15 && groups <= 7 && notAnIdentifier(m);
    }),
    ...collect(text, NANP, 'phone', notAnIdentifier),
    ...collect(text, TRUNK_ZERO, 'phone', (m) => {
      const digits = digitCount(m[0]);
      // One separator style throughout: `05.06.2024 10` is a date and a time, not a number.
      const separators = new Set(m[0].replace(/^\(0\d+\)/, '0').match(/[ .-]/g));
      // `00` starts an international call, never an area code.
      if (/^\(?00/.test(m[0])) return false;
      return digits >= 9 && digits <= 11 && separators.size === 1 && notAnIdentifier(m);
    }),
  ];
}
