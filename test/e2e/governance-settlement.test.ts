import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RedisClient } from '@gateway/storage';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { KafkaCollector } from '../support/kafka-collector';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: priced-llm, provider: local, model: priced, class: llm, tasks: [summarize], region: local,
      price: { inputPerMTok: 1000, outputPerMTok: 2000 } }
  - { id: broken-llm, provider: local, model: broken, class: llm, tasks: [summarize], region: local,
      price: { inputPerMTok: 1000, outputPerMTok: 2000 }, attempts: 1, simulate: { serverErrorRate: 1 } }
routes:
  - { match: { model: broken }, strategy: priority, targets: [broken-llm] }
  - { match: { task: summarize }, strategy: priority, targets: [priced-llm] }
tenants:
  - { id: acme, budgets: { dailyUsd: 100 } }
`;

type ResultData = { id: string; status: string; costUsd: number | null };

describe('budget settlement without an ingest API', () => {
  let gw: Gateway;
  let redis: RedisClient;
  let producer: Producer;
  let collector: KafkaCollector;

  before(async () => {
    gw = await startGateway({ config: CONFIG, apps: ['ingest-api', 'worker-llm', 'dispatcher'] });
    redis = gw.redis();
    const kafka = new Kafka({
      clientId: 'settle-test',
      brokers: gw.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    producer = kafka.producer();
    await producer.connect();
    collector = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.results]).start();
  });
  after(async () => {
    redis?.disconnect();
    await producer?.disconnect();
    await collector?.stop();
    await gw?.stop();
  });

  it('settles Kafka-ingress jobs exactly once with only the dispatcher and a worker running', async () => {
    const key = await gw.tenantKey('acme', undefined, true);
    // From here on no ingest API runs: the jobs come in through Kafka.
    for (const name of gw.replicasOf('ingest-api')) await gw.kill(name, 'SIGTERM');
    const messages = Array.from({ length: 12 }, (_, i) => ({
      key: `settle-${i}`,
      value: JSON.stringify({
        task: 'summarize',
        ...(i < 2 ? { model: 'broken' } : {}),
        input: { text: `Settlement ${i} runs wherever the job ends. Budgets come back.` },
      }),
      headers: { authorization: `Bearer ${key}`, ce_id: `settle-${i}` },
    }));
    await producer.send({ topic: gw.topics.requests, messages });
    const results = () =>
      collector.events
        .filter((e) => e.topic === gw.topics.results && String(e.key).startsWith('settle-'))
        .map((e) => e.value.data as ResultData);
    await collector.waitFor(
      '12 results',
      () => new Set(results().map((r) => r.id)).size >= 12,
      60_000,
    );
    const byId = new Map(results().map((r) => [r.id, r]));
    const failed = [...byId.values()].filter((r) => r.status === 'failed');
    assert.equal(failed.length, 2, 'the broken deployment failed its two jobs');
    const spent = [...byId.values()].reduce((n, r) => n + Math.round((r.costUsd ?? 0) * 1e9), 0);
    assert.ok(spent > 0);

    const day = new Date().toISOString().slice(0, 10);
    const windowKey = `${gw.prefix}:{t:acme}:budget:d:${day}`;
    const deadline = Date.now() + 15_000;
    let w: Record<string, string> = {};
    while (Date.now() < deadline) {
      w = await redis.hgetall(windowKey);
      if (Number(w.reserved) === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(Number(w.reserved), 0, 'every reservation settled or was released');
    assert.equal(Number(w.spent), spent, 'spent is exactly the actual costs, each counted once');
    // Each job enters the usage report once, with its outcome.
    const usage = await redis.hgetall(`${gw.prefix}:{t:acme}:usage:${day}`);
    const count = (suffix: string) =>
      Object.entries(usage)
        .filter(([f]) => f.endsWith(`|${suffix}`))
        .reduce((n, [, v]) => n + Number(v), 0);
    assert.equal(count('jobs'), 12);
    assert.equal(count('failed'), 2);
    assert.equal(count('succeeded'), 10);
    const open = await redis.zrange(`${gw.prefix}:gov:open`, '0', '-1');
    assert.deepEqual(
      open.filter((m) => m.startsWith('acme|')),
      [],
      'no job left unsettled',
    );
  });
});
