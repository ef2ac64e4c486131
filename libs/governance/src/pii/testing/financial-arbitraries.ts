/**
 * fast-check generators of valid card numbers and IBANs. The check digits are computed here
 * on their own (a plain Luhn loop, BigInt mod 97) rather than with the detectors' helpers,
 * so a bug in those helpers cannot make the generator agree with it.
 */
import * as fc from 'fast-check';

export const digitString = (min: number, max = min): fc.Arbitrary<string> =>
  fc
    .array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max })
    .map((d) => d.join(''));

export const fromChars = (chars: string, min: number, max = min): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...chars), { minLength: min, maxLength: max }).map((c) => c.join(''));

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function oracleLuhnCheckDigit(payload: string): number {
  let sum = 0;
  [...payload].reverse().forEach((ch, i) => {
    const d = Number(ch) * (i % 2 === 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  });
  return (10 - (sum % 10)) % 10;
}

// Issuer prefixes and lengths as the card schemes publish them.
const CARD_PREFIXES: fc.Arbitrary<[string, number]> = fc.oneof(
  fc.constantFrom<[string, number]>(['4', 16], ['4', 13], ['4', 19], ['34', 15], ['37', 15]),
  fc.integer({ min: 51, max: 55 }).map((p): [string, number] => [String(p), 16]),
  fc.integer({ min: 2221, max: 2720 }).map((p): [string, number] => [String(p), 16]),
  fc.constantFrom<[string, number]>(['6011', 16], ['65', 16], ['62', 16], ['62', 19], ['36', 14]),
  fc.integer({ min: 644, max: 649 }).map((p): [string, number] => [String(p), 16]),
  fc.integer({ min: 3528, max: 3589 }).map((p): [string, number] => [String(p), 16]),
  fc.integer({ min: 300, max: 305 }).map((p): [string, number] => [String(p), 14]),
);

/** A compact card number: known IIN, random body, correct Luhn digit. */
export const cardDigits: fc.Arbitrary<string> = CARD_PREFIXES.chain(([prefix, length]) =>
  digitString(length - prefix.length - 1).map((body) => {
    const payload = prefix + body;
    return payload + String(oracleLuhnCheckDigit(payload));
  }),
);

/** Puts nothing, a space or a dash between digits, as people type card numbers. */
export const withRandomSeparators = (compact: string): fc.Arbitrary<string> =>
  fc
    .array(fc.constantFrom('', '', '', ' ', '-'), {
      minLength: compact.length - 1,
      maxLength: compact.length - 1,
    })
    .map((gaps) => [...compact].map((d, i) => d + (gaps[i] ?? '')).join(''));

/** Compact, in the printed groups of four, or with random separators. */
export const formattedCard: fc.Arbitrary<string> = cardDigits.chain((digits) =>
  fc.oneof(
    fc.constant(digits),
    fc.constantFrom(' ', '-').map((sep) => (digits.match(/.{1,4}/g) ?? []).join(sep)),
    withRandomSeparators(digits),
  ),
);

// BBAN shapes simplified to "letters then digits"; the length is what the registry fixes.
const IBAN_SHAPES: readonly [country: string, letters: number, digits: number][] = [
  ['DE', 0, 18],
  ['GB', 4, 14],
  ['FR', 0, 23],
  ['NL', 4, 10],
  ['ES', 0, 20],
  ['BE', 0, 12],
  ['CH', 0, 17],
  ['AT', 0, 16],
  ['PL', 0, 24],
  ['NO', 0, 11],
  ['SE', 0, 20],
  ['IE', 4, 14],
  ['PT', 0, 21],
  ['MT', 4, 23],
  ['IT', 1, 22],
];

export function oracleIbanCheckDigits(country: string, bban: string): string {
  const numeric = [...`${bban}${country}00`]
    .map((ch) => (/\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55)))
    .join('');
  return String(98n - (BigInt(numeric) % 97n)).padStart(2, '0');
}

/** A compact, valid IBAN of one of several countries. */
export const compactIban: fc.Arbitrary<string> = fc
  .constantFrom(...IBAN_SHAPES)
  .chain(([country, letters, digits]) =>
    fc
      .tuple(fromChars(UPPER, letters), digitString(digits))
      .map(([l, d]) => `${country}${oracleIbanCheckDigits(country, l + d)}${l}${d}`),
  );

/** Printed either compact or in the usual groups of four. */
export const printIban = (compact: string, spaced: boolean): string =>
  spaced ? (compact.match(/.{1,4}/g) ?? []).join(' ') : compact;

export const formattedIban: fc.Arbitrary<string> = fc
  .tuple(compactIban, fc.boolean())
  .map(([iban, spaced]) => printIban(iban, spaced));
