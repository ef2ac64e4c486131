import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, startKafka, type KafkaHandle } from '../../infra/src';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call, type Res } from '../support/http';
import { KafkaCollector } from '../support/kafka-collector';
import { everyJobRelayed, SIZES, sleep } from '../support/load';
import { repoRoot } from '../support/repo';

// Full size only (`npm run test:reliability`): the broker stays down for
// RELIABILITY_KAFKA_OUTAGE_S seconds (120 by default) under steady load. The short outage
// of `npm test` is test/e2e/kafka-outage.test.ts.
const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: steady-llm, provider: local, model: steady, class: llm, tasks: [classify],
      limits: { maxConcurrency: 8 }, simulate: { latencyMs: 50 } }
routes:
  - { match: { model: steady }, strategy: priority, targets: [steady-llm] }
tenants:
  - { id: acme }
`;

describe(`Kafka broker down for ${SIZES.kafkaOutageSec} s under load`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-kafka-long-'));
  let kafka: KafkaHandle | undefined;
  let gw: Gateway | undefined;
  let collector: KafkaCollector | undefined;
  after(async () => {
    await collector?.stop();
    await gw?.stop();
    await kafka?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'accepts jobs meanwhile (or 503 + Retry-After) and delivers every event within 60 s of the return',
    { timeout: SIZES.kafkaOutageSec * 1000 + 240_000 },
    async () => {
      const [port, cport] = [await freePort(), await freePort()];
      const brokers = [`127.0.0.1:${port}`];
      const boot = () =>
        startKafka({
          brokers,
          dataDir: dir,
          cacheDir: join(repoRoot(), '.gateway', 'cache'),
          repoRoot: repoRoot(),
          controllerPort: cport,
          log: () => undefined,
          partitions: 1,
        });
      kafka = await boot();
      gw = await startGateway({ config: CONFIG, kafkaBrokers: brokers });
      const key = await gw.tenantKey('acme', undefined, true);
      await kafka.stop();
      kafka = undefined;

      const ids: string[] = [];
      const statuses = new Map<number, number>();
      const until = Date.now() + SIZES.kafkaOutageSec * 1000;
      for (let i = 0; Date.now() < until && i < 100_000; i++) {
        const r: Res<{ id: string }> = await call<{ id: string }>(`${gw.url}/v1/jobs`, {
          key,
          body: {
            task: 'classify',
            model: 'steady',
            input: { text: `outage job ${i} is great`, labels: ['good', 'bad'] },
          },
        });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 202) ids.push(r.body.id);
        else {
          assert.equal(r.status, 503, JSON.stringify(r.body));
          assert.ok(Number(r.headers.get('retry-after')) > 0, '503 carries Retry-After');
        }
        await sleep(100);
      }
      assert.ok(ids.length > 0, 'the API kept accepting jobs during the outage');

      kafka = await boot();
      const back = Date.now();
      collector = await new KafkaCollector(brokers, [gw.topics.results, gw.topics.audit]).start();
      await collector.waitFor(
        'every result, accepted and succeeded event',
        (ev) => everyJobRelayed(ev, gw!.topics, ids),
        60_000, // the promise: every event within 60 s of the broker's return
      );
      const drainedMs = Date.now() - back;
      console.log(
        `[reliability] kafka outage ${SIZES.kafkaOutageSec}s: ${JSON.stringify({
          accepted: ids.length,
          statuses: Object.fromEntries(statuses),
          allEventsWithinMs: drainedMs,
        })}`,
      );
      assert.ok(drainedMs <= 60_000, `events drained in ${drainedMs} ms`);
    },
  );
});
