import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isJobId, newJobId, newRequestId, randomId, SHARDS, shardOf } from './keys';

test('job ids are unique, well-formed and spread over every shard', () => {
  const ids = Array.from({ length: 20_000 }, () => newJobId());
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids.slice(0, 500)) assert.ok(isJobId(id), id);
  const perShard = new Array<number>(SHARDS).fill(0);
  for (const id of ids) perShard[shardOf(id)]++;
  // 20,000 over 8 shards: each near 2,500; a broken pool would skew or empty some.
  for (const n of perShard) assert.ok(n > 2000 && n < 3000, perShard.join(','));
});

test('pooled random bytes never repeat across a pool refill and are copies', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) seen.add(randomId(16).toString('hex'));
  assert.equal(seen.size, 2000);
  const a = randomId(8);
  const before = a.toString('hex');
  for (let i = 0; i < 1000; i++) randomId(8); // refills the pool underneath
  assert.equal(a.toString('hex'), before, 'a returned id is not overwritten by a refill');
  assert.match(newRequestId(), /^req_[0-9a-f]{16}$/);
});
