import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { submitMany, waitAllTerminal, type JobView } from '../support/load';

// The circuit breaker, once open, holds a deployment's queued jobs (one probe per openMs)
// instead of sending them to the next candidate, so a deployment that always fails drains
// at one job per 5 s. Until an open breaker falls back at once, these storms measure the
// retry/fallback path with the breaker out of reach (reported to the lead).
const NO_BREAKER = 'breaker: { failureThreshold: 100000 }';

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
      limits: { maxConcurrency: 8 }, simulate: { serverErrorRate: 1 }, ${NO_BREAKER} }
  - { id: flaky-llm, provider: local, model: flaky, class: llm, tasks: [classify], attempts: 2,
      limits: { maxConcurrency: 8 }, simulate: { overloadedRate: 0.5, retryAfterMs: 50 } }
  - { id: hang-llm, provider: local-short, model: hang, class: llm, tasks: [classify],
      attempts: 1, limits: { maxConcurrency: 8 }, simulate: { hangRate: 1 }, ${NO_BREAKER} }
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
        assert.equal(j.route.fallbacks[0].error.code, code);
      }
      // err and hang fail every call: every job must have fallen back. flaky fails half.
      if (model === 'flaky') assert.ok(fellBack.length > 0, 'some flaky jobs fell back');
      else assert.equal(fellBack.length, views.length, 'every job fell back');
      console.log(
        `[reliability] ${code} storm: ${views.length} succeeded, ${fellBack.length} through the fallback`,
      );
    });
  }
});
