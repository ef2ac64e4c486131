import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomId } from './random-pool';

test('pooled random bytes never repeat across a pool refill and are copies', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) seen.add(randomId(16).toString('hex'));
  assert.equal(seen.size, 2000);
  const a = randomId(8);
  const before = a.toString('hex');
  for (let i = 0; i < 1000; i++) randomId(8); // refills the pool underneath
  assert.equal(a.toString('hex'), before, 'a returned id is not overwritten by a refill');
});
