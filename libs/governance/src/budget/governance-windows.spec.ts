import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tightest } from '../limits/rate-limiter';
import { daysBetween } from '../usage/usage-report';
import { windowReset } from './budget-ledger';

describe('governance windows', () => {
  it('resets daily budgets at the next UTC midnight and monthly ones on the 1st', () => {
    const t = Date.parse('2026-01-31T23:59:59Z');
    assert.equal(windowReset('day', t).toISOString(), '2026-02-01T00:00:00.000Z');
    assert.equal(windowReset('month', t).toISOString(), '2026-02-01T00:00:00.000Z');
    assert.equal(
      windowReset('month', Date.parse('2026-12-15T10:00:00Z')).toISOString(),
      '2027-01-01T00:00:00.000Z',
    );
  });

  it('reports the limit with the smallest share left', () => {
    const t = tightest([
      { name: 'key rpm', limit: 100, remaining: 40, resetSec: 5 },
      { name: 'tenant tpm', limit: 10_000, remaining: 1000, resetSec: 5 },
    ]);
    assert.equal(t?.name, 'tenant tpm');
    assert.equal(tightest([]), undefined);
  });

  it('lists usage days inclusive, bounded, and none for a reversed range', () => {
    assert.deepEqual(daysBetween('2026-02-27', '2026-03-02'), [
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    assert.equal(daysBetween('2026-03-02', '2026-03-01').length, 0);
    assert.equal(daysBetween('2020-01-01', '2026-01-01').length, 93);
  });
});
