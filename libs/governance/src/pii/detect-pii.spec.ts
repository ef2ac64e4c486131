import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as fc from 'fast-check';
import { detectPii, resolveOverlaps } from './detect-pii';
import type { PiiFinding } from './pii-types';
import { textWithoutPii } from './testing/pii-arbitraries';

describe('detectPii', () => {
  it('finds nothing in text without PII, even with UUIDs, hashes, dates and versions', () => {
    fc.assert(
      fc.property(textWithoutPii, (text) => {
        assert.deepEqual(detectPii(text), []);
      }),
      { numRuns: 300 },
    );
  });

  it('reads an all-digit UUID as an identifier, not as the card its first groups spell', () => {
    // 5555668513105140 passes Luhn with a Mastercard prefix.
    assert.deepEqual(detectPii('A 55556685-1310-5140-8000-000000000000 A'), []);
    assert.deepEqual(detectPii('id=55556685-1310-5140-8000-00000000000a'), []);
    assert.deepEqual(
      detectPii('card 5555 6685 1310 5140 exp 12/29').map((f) => f.type),
      ['card'],
    );
  });

  it('stays linear on adversarial input (a quadratic pattern would take seconds here)', () => {
    const size = 100_000;
    for (const unit of [
      'a.',
      'a-',
      '1-',
      '1 ',
      '01 ',
      'a:',
      '+1 ',
      'x@a.',
      '-----BEGIN ',
      'token=a ',
    ]) {
      const text = unit.repeat(Math.ceil(size / unit.length));
      const started = performance.now();
      detectPii(text);
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 2000, `${JSON.stringify(unit)} x ${size / unit.length}: ${elapsed} ms`);
    }
  });

  it('reports positions that slice back to the value', () => {
    const text = 'Mail ann@example.com, card 4111 1111 1111 1111, host 10.0.0.7.';
    const findings = detectPii(text);
    assert.deepEqual(
      findings.map((f) => f.type),
      ['email', 'card', 'ipv4'],
    );
    for (const f of findings) assert.equal(text.slice(f.start, f.end), f.value);
  });

  it('narrows to the requested types without re-labelling what it skipped', () => {
    const text = 'ssn 012-34-5678 and ann@example.com';
    assert.deepEqual(
      detectPii(text, ['phone']).map((f) => f.value),
      [],
    );
    assert.deepEqual(
      detectPii(text, ['email']).map((f) => f.value),
      ['ann@example.com'],
    );
    assert.deepEqual(detectPii(text, []), []);
  });
});

describe('resolveOverlaps', () => {
  const f = (type: PiiFinding['type'], start: number, end: number): PiiFinding => ({
    type,
    start,
    end,
    value: 'x'.repeat(end - start),
  });

  it('keeps the longest, then the most specific, and never two overlapping', () => {
    const kept = resolveOverlaps([
      f('phone', 0, 10),
      f('card', 0, 16),
      f('ssn', 20, 31),
      f('phone', 20, 31),
    ]);
    assert.deepEqual(
      kept.map((k) => [k.type, k.start]),
      [
        ['card', 0],
        ['ssn', 20],
      ],
    );
  });

  it('prefers a secret over a longer overlapping finding', () => {
    const kept = resolveOverlaps([f('email', 0, 40), f('api_key', 0, 30), f('phone', 35, 45)]);
    assert.deepEqual(
      kept.map((k) => [k.type, k.start]),
      [
        ['api_key', 0],
        ['phone', 35],
      ],
    );
  });

  it('never returns overlapping findings for any candidate set', () => {
    const candidate = fc
      .tuple(
        fc.nat(200),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom('email', 'phone', 'card', 'api_key' as const),
      )
      .map(([start, len, type]) => f(type, start, start + len));
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 40 }), (candidates) => {
        const kept = resolveOverlaps(candidates);
        for (let i = 1; i < kept.length; i++) assert.ok(kept[i - 1].end <= kept[i].start);
        // Every dropped candidate lost to an overlapping secret or to one at least as long.
        for (const c of candidates) {
          assert.ok(
            kept.some(
              (k) =>
                k.start < c.end &&
                c.start < k.end &&
                (k.end - k.start >= c.end - c.start ||
                  (k.type === 'api_key' && c.type !== 'api_key')),
            ),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
