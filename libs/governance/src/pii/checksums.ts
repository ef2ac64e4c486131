/**
 * Check-digit arithmetic used by the detectors (and by the property tests to build valid
 * values). Pure functions over ASCII digit/letter strings; callers strip separators first.
 */

/** True when a digit string passes the Luhn (mod 10) check used by payment cards. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  return luhnSum(digits, false) % 10 === 0;
}

/** The digit to append to `payload` so the result passes Luhn. */
export function luhnCheckDigit(payload: string): string {
  const sum = luhnSum(payload, true);
  return String((10 - (sum % 10)) % 10);
}

// Doubles every second digit counting from the right; when the check digit is not yet
// appended, the rightmost payload digit is the one that gets doubled.
function luhnSum(digits: string, doubleRightmost: boolean): number {
  let sum = 0;
  let double = doubleRightmost;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum;
}

/**
 * ISO 13616 remainder: the IBAN is rotated (country + check digits moved to the end),
 * letters become 10..35, and the big number is reduced mod 97 piecewise so no BigInt is
 * needed. A valid IBAN leaves 1.
 */
export function ibanRemainder(compactIban: string): number {
  const rotated = compactIban.slice(4) + compactIban.slice(0, 4);
  let remainder = 0;
  for (const ch of rotated) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder;
}

/** The two check digits for a country code and BBAN (what banks compute when issuing). */
export function ibanCheckDigits(country: string, bban: string): string {
  const remainder = ibanRemainder(`${country}00${bban}`);
  return String(98 - remainder).padStart(2, '0');
}

/** Shannon entropy in bits per character: separates random tokens from words. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const freq = new Map<string, number>();
  for (const ch of text) freq.set(ch, (freq.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of freq.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
