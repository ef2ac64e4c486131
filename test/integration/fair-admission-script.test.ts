import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { LoadedConfig } from '@gateway/config';
import { BackpressureKeys, FairAdmission, Keys } from '@gateway/queue';
import { createRedisClient } from '@gateway/storage';
import type { Redis } from 'ioredis';
import { testInfra } from '../support/repo';

describe('fair admission script: bounds, fair state and Retry-After from the drain rate', () => {
  const redis = createRedisClient({ url: testInfra().redisUrl }) as Redis;
  const keys = new Keys(`fas${Date.now()}`);
  const bp = new BackpressureKeys(keys.prefix, keys.bullPrefix());
  const fair = FairAdmission.for(redis, keys);
  // Only what admission reads of the config: the deployment's bound.
  const cfg = {
    deploymentById: new Map([['dep', { id: 'dep', limits: { maxQueued: 10 } }]]),
    jobs: { maxQueuedPerDeployment: 10 },
    backpressure: {},
  } as unknown as LoadedConfig;
  const acme = { id: 'acme', weight: 1, limits: {} } as const;
  after(() => redis.disconnect());

  /** Ten jobs waiting on `dep` (its bound). */
  const fill = () =>
    redis.zadd(
      bp.bullPrioritized('dep'),
      ...Array.from({ length: 10 }, (_, i) => [i, `j${i}`]).flat(),
    );

  it('admits with a rank and the tenant tag, then refuses at the bound with Retry-After 5 when nothing drained', async () => {
    const ok = await fair.admit(cfg, 'dep', acme, 'normal');
    assert.ok(ok.ok);
    assert.equal(ok.rank, 690_000 + 1 + 10, 'band normal, one job of cost 10 past the epoch');
    assert.equal(await redis.hget(bp.fair('dep'), 't:acme'), '10');
    await fill();
    const full = await fair.admit(cfg, 'dep', acme, 'normal');
    assert.deepEqual(full.ok ? null : [full.code, full.retryAfterSec], ['queue_full', 5]);
    assert.equal(await redis.hget(bp.fair('dep'), 't:acme'), '10', 'a refusal tags nothing');
  });

  it('derives Retry-After from the jobs started over the last 10 s', async () => {
    // One job started in each second around now: 10 in any 10 s, a rate of 1/s.
    const sec = Math.floor(Date.now() / 1000);
    await redis.hset(
      bp.drain('dep'),
      Object.fromEntries(Array.from({ length: 12 }, (_, i) => [String(sec - 11 + i), '1'])),
    );
    const full = await fair.admit(cfg, 'dep', acme, 'normal');
    // Excess over 90% of the bound: 10 + 1 - 9 = 2 jobs at 1/s.
    assert.deepEqual(full.ok ? null : [full.code, full.retryAfterSec], ['queue_full', 2]);
  });
});
