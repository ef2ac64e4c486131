import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readBackpressure, submitMany, waitAll } from '../support/backpressure-helpers';
import { startCapacityUpstream, type CapacityUpstream } from '../support/capacity-upstream';
import { startGateway, type Gateway } from '../support/gateway-harness';

const C = 8;

describe('backpressure: adaptive concurrency against a capacity-limited upstream', () => {
  let gw: Gateway;
  let up: CapacityUpstream;
  let key: string;

  before(async () => {
    up = await startCapacityUpstream({
      capacity: C,
      latencyMs: 40,
      loadLatencyFactor: 0.5,
      retryAfterMs: 100,
    });
    gw = await startGateway({
      apps: ['ingest-api'],
      config: `
providers:
  - { id: up, type: openai-compatible, baseUrl: "${up.baseUrl}" }
deployments:
  - { id: cap-llm, provider: up, model: m, class: llm, tasks: [chat], region: local,
      attempts: 2, limits: { maxConcurrency: 32 } }
routes:
  - { match: { task: chat }, strategy: priority, targets: [cap-llm] }
tenants:
  - { id: acme }
`,
    });
    key = await gw.tenantKey('acme', undefined, true);
    // Two worker processes share the one limit through Redis.
    await gw.start('worker-llm');
    await gw.start('worker-llm', 'worker-llm-2');
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  it('converges near the hidden capacity, never fails a job on a 429, and both workers share the limit', async () => {
    const { ids, refused } = await submitMany(gw, key, 400);
    assert.equal(refused.length, 0);
    const counts = await waitAll(gw, key, ids, 90_000);
    assert.deepEqual(counts, { succeeded: 400 }, 'no job fails because of a 429');
    const c = up.counters;
    // The gate keeps the two processes (64 BullMQ slots together) at about C calls at once.
    assert.ok(c.throttled / c.calls <= 0.05, `429 share ${c.throttled}/${c.calls}`);
    assert.equal(c.peakInFlight, C, 'the upstream was driven to its capacity');
    const bp = await readBackpressure(gw, 'cap-llm');
    assert.ok(bp, 'backpressure state exists');
    assert.ok(bp.limit >= C - 2 && bp.limit <= C + 1.5, `limit ${bp.limit} near ${C}`);
    assert.equal(bp.breaker, 'closed');
    assert.equal(bp.inFlight, 0, 'every lease was given back');
    assert.equal(bp.throttled, c.throttled, 'the gate saw every 429');
  });
});
