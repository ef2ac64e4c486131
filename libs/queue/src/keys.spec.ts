import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isJobId, newJobId, newRequestId, SHARDS, shardOf } from './keys';

test('job ids are unique, well-formed and spread over every shard', () => {
  const ids = Array.from({ length: 20_000 }, () => newJobId());
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids.slice(0, 500)) assert.ok(isJobId(id), id);
  const perShard = new Array<number>(SHARDS).fill(0);
  for (const id of ids) perShard[shardOf(id)]++;
  // 20,000 over 8 shards: each near 2,500; a broken pool would skew or empty some.
  for (const n of perShard) assert.ok(n > 2000 && n < 3000, perShard.join(','));
});

test('request ids are req_ and 16 hex digits', () => {
  assert.match(newRequestId(), /^req_[0-9a-f]{16}$/);
});
