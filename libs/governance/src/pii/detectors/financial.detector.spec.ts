import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as fc from 'fast-check';
import { detectPii } from '../detect-pii';
import {
  cardDigits,
  compactIban,
  digitString,
  filler,
  formattedCard,
  formattedIban,
  oracleLuhnCheckDigit,
  printIban,
} from '../testing/pii-arbitraries';

const RUNS = { numRuns: 300 };
const ofType = (text: string, type: string): string[] =>
  detectPii(text)
    .filter((f) => f.type === type)
    .map((f) => f.value);

describe('payment cards', () => {
  it('finds generated Luhn-valid numbers with known IINs, however they are spaced', () => {
    fc.assert(
      fc.property(filler, formattedCard, filler, (before, card, after) => {
        assert.deepEqual(ofType(`${before} ${card} ${after}`, 'card'), [card]);
      }),
      RUNS,
    );
  });

  it('does not flag a card-shaped number whose check digit is wrong', () => {
    const wrongCheckDigit = fc
      .tuple(cardDigits, fc.integer({ min: 1, max: 9 }))
      .map(([card, shift]) => card.slice(0, -1) + String((Number(card.at(-1)) + shift) % 10));
    fc.assert(
      fc.property(filler, wrongCheckDigit, (before, digits) => {
        assert.deepEqual(ofType(`${before} ${digits} end`, 'card'), []);
      }),
      RUNS,
    );
  });

  it('does not flag random 13-19 digit runs that fail Luhn', () => {
    const failing = fc
      .array(fc.integer({ min: 0, max: 9 }), { minLength: 13, maxLength: 19 })
      .map((d) => d.join(''))
      .filter((d) => oracleLuhnCheckDigit(d.slice(0, -1)) !== Number(d.at(-1)));
    fc.assert(
      fc.property(failing, (digits) => {
        assert.deepEqual(ofType(`order ${digits} shipped`, 'card'), []);
      }),
      RUNS,
    );
  });

  it('does not flag Luhn-valid numbers whose prefix belongs to no card scheme', () => {
    const unknownIssuer = fc
      .tuple(fc.constantFrom('0', '1', '7', '8', '99'), fc.integer({ min: 13, max: 19 }))
      .chain(([prefix, length]) => digitString(length - prefix.length - 1).map((d) => prefix + d))
      .map((payload) => payload + String(oracleLuhnCheckDigit(payload)));
    fc.assert(
      fc.property(unknownIssuer, (digits) => {
        assert.deepEqual(ofType(`number ${digits} here`, 'card'), []);
      }),
      RUNS,
    );
  });

  it('takes the card out of a longer run of groups and ignores ones glued to words', () => {
    assert.deepEqual(ofType('card 4242 4242 4242 4242 12 25', 'card'), ['4242 4242 4242 4242']);
    assert.deepEqual(ofType('ref ORD-4242424242424242 and x4242424242424242', 'card'), []);
    // Luhn-valid, but 1 is no card scheme's prefix.
    assert.deepEqual(ofType('timestamp 1700000000007', 'card'), []);
  });
});

describe('IBAN', () => {
  it('finds generated valid IBANs of several countries, with or without spaces', () => {
    fc.assert(
      fc.property(filler, formattedIban, filler, (before, iban, after) => {
        assert.deepEqual(ofType(`${before} ${iban} ${after}`, 'iban'), [iban]);
      }),
      RUNS,
    );
  });

  it('rejects a near miss: any one digit changed', () => {
    const nearMiss = fc
      .tuple(compactIban, fc.nat(), fc.integer({ min: 1, max: 9 }), fc.boolean())
      .map(([iban, at, shift, spaced]) => {
        const digitPositions = [...iban].flatMap((ch, i) => (i >= 2 && /\d/.test(ch) ? [i] : []));
        const pos = digitPositions[at % digitPositions.length];
        const changed = String((Number(iban[pos]) + shift) % 10);
        return printIban(iban.slice(0, pos) + changed + iban.slice(pos + 1), spaced);
      });
    fc.assert(
      fc.property(nearMiss, (iban) => {
        assert.deepEqual(ofType(`transfer to ${iban} today`, 'iban'), []);
      }),
      RUNS,
    );
  });

  it('reads exactly the country length and no further', () => {
    assert.deepEqual(ofType('IBAN DE89 3704 0044 0532 0130 00 EUR', 'iban'), [
      'DE89 3704 0044 0532 0130 00',
    ]);
    assert.deepEqual(ofType('DE89370400440532013000X', 'iban'), []);
    assert.deepEqual(ofType('code ZZ89370400440532013000', 'iban'), []);
  });
});
