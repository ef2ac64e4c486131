import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Keys, OpsStore } from '@gateway/queue';
import { Redis } from 'ioredis';
import { testInfra } from '../support/repo';

describe('ops store: provider call samples', () => {
  const redis = new Redis(testInfra().redisUrl);
  after(() => redis.disconnect());

  it('stores every call recorded while writes are in flight, newest first, per deployment', async () => {
    const keys = new Keys(`opsstore${Date.now()}`);
    const ops = new OpsStore(redis, keys);
    // 120 calls at once over two deployments: they share writes, none may be lost or reordered.
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 120; i++)
      calls.push(ops.recordCall(i % 3 === 0 ? 'b' : 'a', i, i % 10 !== 0));
    await Promise.all(calls);
    const w = await ops.window(['a', 'b', 'c']);
    assert.equal(w.get('a')?.samples, 80);
    assert.equal(w.get('b')?.samples, 40);
    assert.equal(w.get('c')?.samples, 0);
    assert.equal(w.get('a')?.perMinute, 80);
    // Calls 0, 30, 60, 90 failed (b) and 10, 20, 40, 50, 70, 80, 100, 110 (a).
    assert.equal(w.get('b')?.errorRate, 4 / 40);
    assert.equal(w.get('a')?.errorRate, 8 / 80);
    const stored = await redis.lrange(`${keys.prefix}:ops:calls:a`, 0, -1);
    const latencies = stored.map((s) => Number(s.split(':')[1]));
    assert.deepEqual(
      latencies,
      Array.from({ length: 120 }, (_, i) => i)
        .filter((i) => i % 3 !== 0)
        .reverse(),
      'newest first',
    );
  });

  it('keeps the newest 200 calls of a deployment', async () => {
    const keys = new Keys(`opsstore2${Date.now()}`);
    const ops = new OpsStore(redis, keys);
    await Promise.all(Array.from({ length: 450 }, (_, i) => ops.recordCall('a', i, true)));
    await ops.recordCall('a', 450, true);
    const stored = await redis.lrange(`${keys.prefix}:ops:calls:a`, 0, -1);
    assert.equal(stored.length, 200);
    assert.equal(Number(stored[0].split(':')[1]), 450);
    assert.equal(Number(stored[199].split(':')[1]), 251);
  });
});
