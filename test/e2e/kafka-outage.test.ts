import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, startKafka, type KafkaHandle } from '../../infra/src';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { KafkaCollector } from '../support/kafka-collector';
import { repoRoot } from '../support/repo';

// This test stops and restarts a broker, so it runs its own instead of the shared one.
describe('Kafka outage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-kafka-outage-'));
  let kafka: KafkaHandle | undefined;
  let gw: Gateway | undefined;
  let collector: KafkaCollector | undefined;
  after(async () => {
    await collector?.stop();
    await gw?.stop();
    await kafka?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps events in the outbox while Kafka is down and delivers every one after it returns', async () => {
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
    gw = await startGateway({ config: 'tenants: [{ id: acme }]\n', kafkaBrokers: brokers });
    const key = await gw.tenantKey('acme', undefined, true);

    await kafka.stop();
    kafka = undefined;
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r: { status: number; body: { id: string } } = await call(`${gw.url}/v1/jobs`, {
        key,
        body: { task: 'classify', input: { text: `great ${i}`, labels: ['good', 'bad'] } },
      });
      assert.equal(r.status, 202, 'submissions are accepted while Kafka is down');
      ids.push(r.body.id);
    }
    for (const id of ids) {
      const r: { body: { status: string } } = await call(`${gw.url}/v1/jobs/${id}?wait=20`, {
        key,
      });
      assert.equal(r.body.status, 'succeeded');
    }
    // Readiness trusts a successful Kafka check for 2 s, so the outage shows within a few seconds.
    let ready = await call(`${gw.url}/readyz`);
    for (let i = 0; i < 50 && ready.status !== 503; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ready = await call(`${gw.url}/readyz`);
    }
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.body.failing, ['kafka']);

    kafka = await boot();
    collector = await new KafkaCollector(brokers, [gw.topics.results, gw.topics.audit]).start();
    await collector.waitFor(
      'every result event after Kafka returns',
      (ev) =>
        ids.every((id) => ev.some((e) => e.topic === gw!.topics.results && e.value.id === id)),
      60_000,
    );
    await collector.waitFor(
      'every accepted and succeeded audit event',
      (ev) =>
        ids.every(
          (id) =>
            ev.some(
              (e) =>
                (e.value.data as { jobId?: string; action?: string })?.jobId === id &&
                (e.value.data as { action?: string }).action === 'job.accepted',
            ) &&
            ev.some(
              (e) =>
                (e.value.data as { jobId?: string; action?: string })?.jobId === id &&
                (e.value.data as { action?: string }).action === 'job.succeeded',
            ),
        ),
      30_000,
    );
  });
});
