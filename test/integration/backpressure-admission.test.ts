import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { CHAT, submitMany } from '../support/backpressure-helpers';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';

// No worker runs: whatever is admitted stays waiting, so the bounds are exact.
const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: adm, provider: local, model: a, class: llm, tasks: [chat], region: local,
      limits: { maxQueued: 10 } }
  - { id: adm2, provider: local, model: b, class: llm, tasks: [chat], region: local,
      limits: { maxQueued: 10 } }
  - { id: adm3, provider: local, model: c, class: llm, tasks: [chat], region: local,
      limits: { maxQueued: 10 } }
routes:
  - { match: { task: chat }, strategy: priority, targets: [adm] }
tenants:
  - { id: acme }
  - { id: small, limits: { maxQueued: 3 } }
`;

describe('backpressure: admission control at ingest', () => {
  let gw: Gateway;
  let acme: string;
  let small: string;
  let redis: Redis;
  const waiting = (dep: string) => redis.zcard(`${gw.prefix}:bull:{dep-${dep}}:prioritized`);

  before(async () => {
    gw = await startGateway({ config: CONFIG, apps: ['ingest-api'] });
    acme = await gw.tenantKey('acme', undefined, true);
    small = await gw.tenantKey('small', undefined, true);
    redis = new Redis(gw.redisUrl);
  });
  after(async () => {
    redis?.disconnect();
    await gw?.stop();
  });

  it('answers 503 queue_full with Retry-After past a deployment bound, enqueuing nothing', async () => {
    const { ids, refused } = await submitMany(gw, acme, 12, { parallel: 1 });
    assert.equal(ids.length, 10);
    assert.equal(refused.length, 2);
    for (const r of refused) {
      assert.equal(r.status, 503);
      assert.equal(r.code, 'queue_full');
      assert.ok(Number(r.retryAfter) >= 1 && Number(r.retryAfter) <= 60, `${r.retryAfter}`);
    }
    assert.equal(await waiting('adm'), 10);
    const list = await call(`${gw.url}/v1/jobs?limit=100`, { key: acme });
    assert.equal(list.body.data.length, 10, 'a refused job leaves no record');
  });

  it("answers 429 rate_limited past a tenant's own bound and past its weighted share", async () => {
    const own = await submitMany(gw, small, 5, { parallel: 1, body: { model: 'adm2' } });
    assert.equal(own.ids.length, 3);
    assert.deepEqual(
      own.refused.map((r) => [r.status, r.code]),
      [
        [429, 'rate_limited'],
        [429, 'rate_limited'],
      ],
    );
    assert.ok(own.refused.every((r) => Number(r.retryAfter) >= 1));
    // small is active on adm2 with weight 1: acme's share of the 10 slots is 5 once the
    // queue is half full.
    const share = await submitMany(gw, acme, 7, { parallel: 1, body: { model: 'adm2' } });
    assert.equal(share.ids.length, 5);
    assert.deepEqual(
      share.refused.map((r) => r.status),
      [429, 429],
    );
    assert.equal(await waiting('adm2'), 8);
    const res = await call(`${gw.url}/v1/jobs`, { key: small, body: { ...CHAT, model: 'adm2' } });
    assert.equal(res.status, 429, 'the tenant is still over its own bound');
  });

  it('forgets the lag of jobs that left the queue without starting (cancelled)', async () => {
    const first = await submitMany(gw, small, 3, { parallel: 1, body: { model: 'adm3' } });
    assert.equal(first.ids.length, 3);
    for (const id of first.ids) {
      const r = await call(`${gw.url}/v1/jobs/${id}`, { key: small, method: 'DELETE' });
      assert.equal(r.body.status, 'cancelled');
    }
    assert.equal(await waiting('adm3'), 0);
    // None of those started, yet none waits: the tenant is behind nobody and is admitted.
    const again = await submitMany(gw, small, 3, { parallel: 1, body: { model: 'adm3' } });
    assert.equal(again.ids.length, 3, JSON.stringify(again.refused));
  });
});
