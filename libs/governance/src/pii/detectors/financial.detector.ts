import { ibanRemainder, luhnValid } from '../checksums';
import { IBAN_LENGTHS } from '../iban-lengths';
import type { PiiFinding } from '../pii-types';
import { cardBrandOf } from './card-brands';

// A run of digits where neighbours may be split by one space or dash. Which part of the run
// is a card is decided in code, at group boundaries, so `exp 4242 4242 4242 4242 12` works.
const DIGIT_RUN = /\d(?:[ -]?\d)*/g;

export function detectCards(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  for (const m of text.matchAll(DIGIT_RUN)) {
    const start = m.index;
    const end = start + m[0].length;
    if (gluedBefore(text, start)) continue;
    const groups = [...m[0].matchAll(/\d+/g)].map((g) => ({
      start: start + g.index,
      end: start + g.index + g[0].length,
    }));
    const lastUsable = gluedAfter(text, end) ? groups.length - 2 : groups.length - 1;
    const windows: PiiFinding[] = [];
    for (let i = 0; i < groups.length; i++) {
      let digits = '';
      for (let j = i; j <= lastUsable && digits.length <= 19; j++) {
        digits += text.slice(groups[j].start, groups[j].end);
        if (digits.length < 13 || digits.length > 19) continue;
        if (!luhnValid(digits) || cardBrandOf(digits) === undefined) continue;
        const s = groups[i].start;
        const e = groups[j].end;
        windows.push({ type: 'card', start: s, end: e, value: text.slice(s, e) });
      }
    }
    // Longest first, then no overlaps inside one run (runs never overlap each other).
    windows.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
    const chosen: PiiFinding[] = [];
    for (const w of windows) {
      if (chosen.every((o) => o.end <= w.start || o.start >= w.end)) chosen.push(w);
    }
    out.push(...chosen);
  }
  return out;
}

// A run stuck to a word (`ORD-4111...`, `x4111...`, `1.4111...`) is part of an identifier.
function gluedBefore(text: string, start: number): boolean {
  const prev = text.charAt(start - 1);
  if (/[\w+]/.test(prev)) return true;
  return /[-.,/]/.test(prev) && /\w/.test(text.charAt(start - 2));
}

function gluedAfter(text: string, end: number): boolean {
  const next = text.charAt(end);
  return /\w/.test(next) || (/[.,]/.test(next) && /\d/.test(text.charAt(end + 1)));
}

const IBAN_START = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}/g;

/**
 * IBANs with or without spaces. The country fixes the length, so exactly that many
 * characters are read and the next one must end the token: a longer alphanumeric run is
 * not an IBAN, and a word after the IBAN is never swallowed.
 */
export function detectIbans(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  for (const m of text.matchAll(IBAN_START)) {
    const length = IBAN_LENGTHS[m[0].slice(0, 2)];
    if (length === undefined) continue;
    let compact = m[0];
    let pos = m.index + m[0].length;
    while (compact.length < length) {
      const ch = text.charAt(pos);
      if (/[A-Z0-9]/.test(ch)) {
        compact += ch;
        pos++;
      } else if (ch === ' ' && /[A-Z0-9]/.test(text.charAt(pos + 1))) {
        pos++;
      } else break;
    }
    if (compact.length !== length || /[A-Za-z0-9]/.test(text.charAt(pos))) continue;
    const check = Number(compact.slice(2, 4));
    if (check < 2 || check > 98 || ibanRemainder(compact) !== 1) continue;
    out.push({ type: 'iban', start: m.index, end: pos, value: text.slice(m.index, pos) });
  }
  return out;
}
