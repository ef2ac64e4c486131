import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { sleep } from '../support/load';
import { OwnRedis } from '../support/own-redis';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: local-llm, provider: local, model: local, class: llm, tasks: [classify] }
routes:
  - { match: { task: classify }, strategy: priority, targets: [local-llm] }
tenants:
  - { id: acme }
`;

/** Sends SIGTERM and resolves with how the process ended and how long it took (or null). */
function terminate(p: ChildProcess, limitMs: number) {
  return new Promise<{ ms: number; code: number | null; signal: string | null } | null>(
    (resolve) => {
      const t0 = Date.now();
      const timer = setTimeout(() => resolve(null), limitMs);
      p.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ ms: Date.now() - t0, code, signal });
      });
      p.kill('SIGTERM');
    },
  );
}

describe('SIGTERM while Redis is down', () => {
  let redis: OwnRedis;
  let gw: Gateway;

  before(async () => {
    redis = await OwnRedis.start();
    gw = await startGateway({
      config: CONFIG,
      apps: ['ingest-api', 'worker-llm', 'dispatcher'],
      redisUrl: redis.url,
    });
  });
  after(async () => {
    await gw?.stop();
    await redis?.stop();
  });

  it('every app still leaves by itself within its shutdown deadline', async () => {
    await redis.kill();
    // Let the clients notice and start reconnecting: closing is what used to hang.
    await sleep(1500);
    const names = [...gw.procs.keys()];
    assert.deepEqual(names.sort(), ['dispatcher', 'ingest-api', 'worker-llm']);
    const ended = await Promise.all(
      names.map(async (n) => [n, await terminate(gw.procs.get(n)!, 25_000)] as const),
    );
    for (const [name, end] of ended) {
      assert.ok(end, `${name} still ran 25 s after SIGTERM`);
      // Within its deadline (ingest 8 s, dispatcher 10 s, workers grace + 5 s) plus slack; a
      // process still starting up ends by SIGTERM's default action, which counts too.
      assert.ok(end.ms < 20_000, `${name} took ${end.ms} ms`);
    }
    console.log(
      `[reliability] shutdown with Redis down: ${ended.map(([n, e]) => `${n} ${e?.ms} ms`).join(', ')}`,
    );
  });
});
