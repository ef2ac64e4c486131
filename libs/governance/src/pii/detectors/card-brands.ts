/**
 * Issuer identification number (IIN) ranges of the card schemes, with the lengths each
 * issues. A Luhn-valid digit run that matches no scheme is far more often an order or
 * tracking number than a card, so it is not reported.
 */
export interface CardBrand {
  readonly name: string;
  /** Inclusive numeric ranges of the leading digits, written `lo-hi` or a single prefix. */
  readonly prefixes: readonly string[];
  readonly lengths: readonly number[];
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

export const CARD_BRANDS: readonly CardBrand[] = [
  { name: 'visa', prefixes: ['4'], lengths: [13, 16, 19] },
  { name: 'mastercard', prefixes: ['51-55', '2221-2720'], lengths: [16] },
  { name: 'amex', prefixes: ['34', '37'], lengths: [15] },
  {
    name: 'discover',
    prefixes: ['6011', '644-649', '65', '622126-622925'],
    lengths: range(16, 19),
  },
  { name: 'diners', prefixes: ['300-305', '36', '38-39'], lengths: range(14, 19) },
  { name: 'jcb', prefixes: ['3528-3589'], lengths: range(16, 19) },
  { name: 'unionpay', prefixes: ['62'], lengths: range(16, 19) },
  {
    name: 'maestro',
    prefixes: ['5018', '5020', '5038', '5893', '6304', '6759', '6761-6763'],
    lengths: range(13, 19),
  },
  { name: 'mir', prefixes: ['2200-2204'], lengths: range(16, 19) },
  { name: 'rupay', prefixes: ['60', '508'], lengths: [16] },
  { name: 'troy', prefixes: ['9792'], lengths: [16] },
];

/** The scheme a compact digit string belongs to, if its prefix and length match one. */
export function cardBrandOf(digits: string): CardBrand | undefined {
  return CARD_BRANDS.find(
    (brand) =>
      brand.lengths.includes(digits.length) &&
      brand.prefixes.some((prefix) => {
        const [lo, hi = lo] = prefix.split('-');
        const head = Number(digits.slice(0, lo.length));
        return head >= Number(lo) && head <= Number(hi);
      }),
  );
}
