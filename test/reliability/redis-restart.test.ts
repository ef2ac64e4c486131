import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { sleep, waitAllTerminal, type Accepted } from '../support/load';
import { OwnRedis } from '../support/own-redis';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: steady-llm, provider: local, model: steady, class: llm, tasks: [classify],
      limits: { maxConcurrency: 8 }, simulate: { latencyMs: 150 } }
routes:
  - { match: { model: steady }, strategy: priority, targets: [steady-llm] }
tenants:
  - { id: acme }
jobs: { backoffMs: 100 }
`;

/** Load that keeps submitting until told to stop, recording when each 202 arrived. */
function steadyLoad(gw: Gateway, key: string, lanes: number) {
  const accepted: Accepted[] = [];
  const refused = new Map<number, number>();
  let stopping = false;
  const run = async (lane: number) => {
    for (let i = 0; !stopping && i < 100_000; i++) {
      const r = await call<{ id: string }>(`${gw.url}/v1/jobs`, {
        key,
        body: {
          task: 'classify',
          model: 'steady',
          input: { text: `lane ${lane} job ${i} is great`, labels: ['good', 'bad'] },
        },
      }).catch(() => ({ status: 0, body: { id: '' } }));
      if (r.status === 202) accepted.push({ id: r.body.id, acceptedAt: Date.now() });
      else refused.set(r.status, (refused.get(r.status) ?? 0) + 1);
      await sleep(40);
    }
  };
  const done = Promise.all(Array.from({ length: lanes }, (_, l) => run(l)));
  return {
    accepted,
    refused,
    stop: async () => {
      stopping = true;
      await done;
    },
  };
}

describe('Redis SIGKILLed and restarted on the same AOF under load', () => {
  let redis: OwnRedis;
  let gw: Gateway;
  let key: string;

  before(async () => {
    redis = await OwnRedis.start();
    gw = await startGateway({
      config: CONFIG,
      apps: ['ingest-api', 'worker-llm', 'dispatcher'],
      redisUrl: redis.url,
    });
    key = await gw.tenantKey('acme', undefined, true);
  });
  after(async () => {
    await gw?.stop();
    await redis?.stop();
  });

  it('keeps every job accepted more than 1 s before the crash, and completes it', async () => {
    const load = steadyLoad(gw, key, 4);
    await sleep(3000);
    const crashAt = Date.now();
    await redis.kill();
    await sleep(2000);
    await redis.boot();
    await sleep(3000);
    await load.stop();

    const promised = load.accepted.filter((a) => a.acceptedAt < crashAt - 1000);
    const atRisk = load.accepted.filter(
      (a) => a.acceptedAt >= crashAt - 1000 && a.acceptedAt < crashAt,
    );
    const later = load.accepted.filter((a) => a.acceptedAt >= crashAt);
    assert.ok(promised.length >= 20, `enough load before the crash: ${promised.length}`);
    assert.ok(later.length > 0, 'the API accepts jobs again after Redis returns');

    const jobs = await waitAllTerminal(
      gw,
      key,
      promised.map((a) => a.id),
      90_000,
    );
    const bad = [...jobs.values()].filter((j) => j.status !== 'succeeded');
    assert.deepEqual(
      bad.map((j) => `${j.id}:${j.status}`),
      [],
      'every job accepted before the crash succeeded',
    );
    // The last second before the crash is not promised (appendfsync everysec); count it.
    let lostAtRisk = 0;
    for (const a of atRisk) {
      const r = await call(`${gw.url}/v1/jobs/${a.id}`, { key });
      if (r.status === 404) lostAtRisk++;
    }
    const laterJobs = await waitAllTerminal(
      gw,
      key,
      later.map((a) => a.id),
      60_000,
    );
    assert.ok([...laterJobs.values()].every((j) => j.status === 'succeeded'));
    console.log(
      `[reliability] redis restart: ${JSON.stringify({
        acceptedBeforeCrash: promised.length,
        inLastSecond: atRisk.length,
        lostInLastSecond: lostAtRisk,
        acceptedAfterCrash: later.length,
        refusedByStatus: Object.fromEntries(load.refused),
      })}`,
    );
  });
});
