import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { nextAttemptDelayMs } from './schedule';

const schedule = [5, 300, 1800, 7200, 18000, 36000] as const;

void describe('nextAttemptDelayMs', () => {
  void it('follows the schedule, attempt n waiting schedule[n-1] seconds', () => {
    const middle = () => 0.5;
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => nextAttemptDelayMs(n, schedule, middle)),
      [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000],
    );
  });

  void it('spans exactly ±20 % between the extremes of the random source', () => {
    assert.equal(
      nextAttemptDelayMs(1, [10], () => 0),
      8_000,
    );
    assert.equal(
      nextAttemptDelayMs(1, [10], () => 1),
      12_000,
    );
    assert.equal(
      nextAttemptDelayMs(1, [10], () => 7),
      12_000,
    );
  });

  void it('stays within ±20 % for any attempt and random value, and is null past the end', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 86_400 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (delays, attempt, r) => {
          const ms = nextAttemptDelayMs(attempt, delays, () => r);
          if (attempt > delays.length) return assert.equal(ms, null);
          const base = (delays[attempt - 1] ?? 0) * 1000;
          assert.ok(ms !== null && ms >= Math.floor(base * 0.8) && ms <= Math.ceil(base * 1.2));
        },
      ),
    );
  });

  void it('returns null after the last attempt, including for an empty schedule', () => {
    assert.equal(nextAttemptDelayMs(7, schedule), null);
    assert.equal(nextAttemptDelayMs(1, []), null);
  });

  void it('rejects attempt numbers below 1 or fractional', () => {
    assert.throws(() => nextAttemptDelayMs(0, schedule), RangeError);
    assert.throws(() => nextAttemptDelayMs(1.5, schedule), RangeError);
  });
});
