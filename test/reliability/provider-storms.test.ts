import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { submitMany, waitAllTerminal, type JobView } from '../support/load';

// Once a failing deployment's circuit opens, its waiting jobs move to the next candidate
// at once; before that they go through retries and the fallback after their last attempt.

// Storms through the local provider's `simulate`. `ok-llm` is the healthy fallback; the
// provider `local-short` answers timeouts after 300 ms, so hangs end quickly.
const CONFIG = `
providers:
  - { id: local, type: local }
  - { id: local-short, type: local, timeoutMs: 300 }
deployments:
  - { id: ok-llm, provider: local, model: ok, class: llm, tasks: [classify],
      limits: { maxConcurrency: 16 }, simulate: { latencyMs: 20 } }
  - { id: rl-llm, provider: local, model: rl, class: llm, tasks: [classify], attempts: 1,
      limits: { maxConcurrency: 8 },
      simulate: { latencyMs: 30, rateLimitRate: 0.3, retryAfterMs: 150, capacity: 3 } }
  - { id: err-llm, provider: local, model: err, class: llm, tasks: [classify], attempts: 2,
      limits: { maxConcurrency: 8 }, simulate: { serverErrorRate: 1 } }
  - { id: flaky-llm, provider: local, model: flaky, class: llm, tasks: [classify], attempts: 2,
      limits: { maxConcurrency: 8 }, simulate: { overloadedRate: 0.5, retryAfterMs: 50 } }
  - { id: hang-llm, provider: local-short, model: hang, class: llm, tasks: [classify],
      attempts: 1, limits: { maxConcurrency: 8 }, simulate: { hangRate: 1 } }
routes:
  - { match: { model: rl }, strategy: priority, targets: [rl-llm] }
  - { match: { model: err }, strategy: priority, targets: [err-llm, ok-llm] }
  - { match: { model: flaky }, strategy: priority, targets: [flaky-llm, ok-llm] }
  - { match: { model: hang }, strategy: priority, targets: [hang-llm, ok-llm] }
tenants:
  - { id: acme }
jobs: { backoffMs: 50 }
`;

const job = (model: string) => (i: number) => ({
  task: 'classify',
  model,
  input: { text: `storm ${model} ${i} is great`, labels: ['good', 'bad'] },
});

describe('provider storms through the local provider', () => {
  let gw: Gateway;
  let key: string;
  let redis: Redis;

  before(async () => {
    gw = await startGateway({ config: CONFIG, apps: ['ingest-api', 'worker-llm'] });
    key = await gw.tenantKey('acme', undefined, true);
    redis = new Redis(gw.redisUrl);
  });
  after(async () => {
    redis?.disconnect();
    await gw?.stop();
  });

  it('429s with Retry-After pause the deployment and fail no job, with one attempt allowed', async () => {
    // BullMQ's limiter key exists while the queue is paused by a 429: watch for it.
    const limiter = `${gw.prefix}:bull:{dep-rl-llm}:limiter`;
    let pauses = 0;
    let watching = true;
    const watch = (async () => {
      for (let i = 0; watching && i < 3000; i++) {
        if ((await redis.pttl(limiter)) > 0) pauses++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const accepted = await submitMany(gw, key, 60, job('rl'));
    const jobs = await waitAllTerminal(
      gw,
      key,
      accepted.map((a) => a.id),
      60_000,
    );
    watching = false;
    await watch;
    const views = [...jobs.values()];
    assert.deepEqual(
      views.filter((j) => j.status !== 'succeeded').map((j) => `${j.id}:${j.error?.code}`),
      [],
    );
    assert.ok(
      views.every((j) => j.route.deployment === 'rl-llm' && j.route.fallbacks.length === 0),
    );
    assert.ok(pauses > 0, 'the storm paused the queue at least once');
    console.log(`[reliability] 429 storm: 60 jobs succeeded; paused-queue samples: ${pauses}`);
  });

  for (const [model, code] of [
    ['err', 'server_error'],
    ['flaky', 'overloaded'],
    ['hang', 'timeout'],
  ] as const) {
    it(`${model}: jobs complete through the fallback after ${code}`, async () => {
      const accepted = await submitMany(gw, key, 24, job(model));
      const jobs = await waitAllTerminal(
        gw,
        key,
        accepted.map((a) => a.id),
        60_000,
      );
      const views: JobView[] = [...jobs.values()];
      assert.deepEqual(
        views.filter((j) => j.status !== 'succeeded').map((j) => `${j.id}:${j.error?.code}`),
        [],
        'no job failed',
      );
      const fellBack = views.filter((j) => j.route.fallbacks.length > 0);
      for (const j of fellBack) {
        assert.equal(j.route.deployment, 'ok-llm');
        assert.equal(j.route.fallbacks[0].to, 'ok-llm');
        // Hops recorded before the circuit opened carry the provider's error; after it opened,
        // waiting jobs move on at once with the circuit's own reason.
        const hop = j.route.fallbacks[0].error;
        const viaCircuit = hop.code === 'overloaded' && /circuit .* is open/.test(hop.message);
        assert.ok(hop.code === code || viaCircuit, `${hop.code}: ${hop.message}`);
      }
      const byCause = fellBack.filter((j) => j.route.fallbacks[0].error.code === code).length;
      // err and hang fail every call: every job must have fallen back. flaky fails half.
      if (model === 'flaky') assert.ok(fellBack.length > 0, 'some flaky jobs fell back');
      else assert.equal(fellBack.length, views.length, 'every job fell back');
      console.log(
        `[reliability] ${code} storm: ${views.length} succeeded, ${fellBack.length} through the fallback (${byCause} on ${code}, the rest once the circuit opened)`,
      );
    });
  }
});
