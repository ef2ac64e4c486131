import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call, type Res } from '../support/http';
import { OwnRedis } from '../support/own-redis';

interface Readiness {
  status: string;
  failing?: string[];
  checks: { redis: boolean; kafka: boolean };
}

/** Polls /readyz (bounded) until it answers `status`. */
async function readyzUntil(gw: Gateway, status: number): Promise<Res<Readiness>> {
  let r = await call<Readiness>(`${gw.url}/readyz`);
  for (let i = 0; i < 60 && r.status !== status; i++) {
    await new Promise((res) => setTimeout(res, 250));
    r = await call<Readiness>(`${gw.url}/readyz`);
  }
  return r;
}

// The Kafka side of readiness is covered by test/e2e/kafka-outage.test.ts; this one stops
// the Redis of its own.
describe('readiness names Redis when Redis is down', () => {
  let redis: OwnRedis | undefined;
  let gw: Gateway | undefined;
  after(async () => {
    await gw?.stop();
    await redis?.stop();
  });

  it('answers 503 with Retry-After and failing [redis] while Redis is down, 200 once it is back; /healthz stays 200', async () => {
    redis = await OwnRedis.start();
    gw = await startGateway({
      config: 'tenants: [{ id: acme }]\n',
      apps: ['ingest-api'],
      redisUrl: redis.url,
    });
    assert.equal((await readyzUntil(gw, 200)).status, 200);

    await redis.kill();
    const down = await readyzUntil(gw, 503);
    assert.equal(down.status, 503);
    assert.equal(down.body.status, 'unavailable');
    assert.deepEqual(down.body.failing, ['redis']);
    assert.deepEqual(down.body.checks, { redis: false, kafka: true });
    assert.equal(down.headers.get('retry-after'), '5');
    assert.equal((await call(`${gw.url}/healthz`)).status, 200, 'alive while not ready');

    await redis.boot();
    const back = await readyzUntil(gw, 200);
    assert.equal(back.status, 200);
    assert.deepEqual(back.body.checks, { redis: true, kafka: true });
  });
});
