import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readBackpressure, submitMany, waitAll } from '../support/backpressure-helpers';
import { startCapacityUpstream, type CapacityUpstream } from '../support/capacity-upstream';
import { startGateway, type Gateway } from '../support/gateway-harness';

describe('backpressure: circuit breaker per deployment', () => {
  let gw: Gateway;
  let up: CapacityUpstream;
  let key: string;

  before(async () => {
    up = await startCapacityUpstream({ capacity: 8, latencyMs: 5, failing: true });
    gw = await startGateway({
      apps: ['ingest-api', 'worker-llm'],
      config: `
providers:
  - { id: up, type: openai-compatible, baseUrl: "${up.baseUrl}" }
deployments:
  - { id: brk, provider: up, model: m, class: llm, tasks: [chat], region: local, attempts: 1,
      breaker: { failureThreshold: 3, openMs: 1500 } }
routes:
  - { match: { task: chat }, strategy: priority, targets: [brk] }
tenants:
  - { id: acme }
`,
    });
    key = await gw.tenantKey('acme', undefined, true);
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  it('opens after repeated failures, holds calls while open, and closes after a probe succeeds', async () => {
    const failing = await submitMany(gw, key, 3, { parallel: 1 });
    assert.deepEqual(await waitAll(gw, key, failing.ids, 30_000), { failed: 3 });
    const open = await readBackpressure(gw, 'brk');
    assert.equal(open?.breaker, 'open');
    assert.equal(open?.breakerOpens, 1);
    const callsWhenOpened = up.counters.calls;
    const held = await submitMany(gw, key, 3, { parallel: 1 });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(up.counters.calls, callsWhenOpened, 'no call reaches the upstream while open');
    up.options.failing = false;
    assert.deepEqual(await waitAll(gw, key, held.ids, 30_000), { succeeded: 3 });
    const closed = await readBackpressure(gw, 'brk');
    assert.equal(closed?.breaker, 'closed');
  });
});
