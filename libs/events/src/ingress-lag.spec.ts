import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ingressLag } from './ingress-lag';

test('lag is the high watermark minus the committed offset, per partition', () => {
  const lag = ingressLag(
    [
      { partition: 0, low: '0', high: '10' },
      { partition: 1, low: '0', high: '4' },
    ],
    [
      { partition: 0, offset: '7' },
      { partition: 1, offset: '4' },
    ],
  );
  assert.deepEqual(
    [...lag],
    [
      [0, 3],
      [1, 0],
    ],
  );
});

test('a partition with nothing committed lags by every retained message', () => {
  const lag = ingressLag(
    [{ partition: 2, low: '5', high: '12' }],
    [{ partition: 2, offset: '-1' }],
  );
  assert.deepEqual([...lag], [[2, 7]]);
  assert.deepEqual([...ingressLag([{ partition: 0, low: '0', high: '3' }], [])], [[0, 3]]);
});
