import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createRedisClient } from '@gateway/storage';
import type { Redis } from 'ioredis';
import { testInfra } from '../support/repo';
import { countSocketWrites } from '../support/socket-writes';

describe('Redis client: commands of one turn share a socket write', () => {
  const redis = createRedisClient({ url: testInfra().redisUrl }) as Redis;
  after(() => redis.disconnect());
  const prefix = `coalesce${Date.now()}`;

  it('sends 50 commands issued together in one write, each with its own answer', async () => {
    await redis.ping();
    const writes = countSocketWrites(redis);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => redis.incrby(`${prefix}:n`, i + 1)),
    );
    assert.equal(writes.count(), 1);
    assert.deepEqual(
      answers,
      Array.from({ length: 50 }, (_, i) => ((i + 1) * (i + 2)) / 2),
    );
  });

  it('keeps coalescing after a reconnection, with nothing lost', async () => {
    await redis.set(`${prefix}:k`, 'v');
    const reconnected = new Promise((r) => redis.once('ready', r));
    redis.disconnect(true);
    await reconnected;
    const writes = countSocketWrites(redis);
    const got = await Promise.all(Array.from({ length: 20 }, () => redis.get(`${prefix}:k`)));
    assert.equal(writes.count(), 1);
    assert.ok(got.every((v) => v === 'v'));
    await redis.del(`${prefix}:k`, `${prefix}:n`);
  });
});
