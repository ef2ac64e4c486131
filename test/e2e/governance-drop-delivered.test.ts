import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RedisClient } from '@gateway/storage';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { KafkaCollector } from '../support/kafka-collector';
import { until, WebhookReceiver } from '../support/webhook-receiver';

const config = (port: number) => `
providers:
  - { id: local, type: local }
tenants:
  - { id: ephemeral, pii: pseudonymise, privacy: { dropPayloadsOnDelivery: true, graceSeconds: 0 } }
  - { id: keeper, pii: pseudonymise }
webhooks: { allowHosts: ["127.0.0.1:${port}"], timeoutMs: 2000, schedule: [1, 1, 1] }
`;
const EMAIL = 'ann.lee@example.org';
const job = (url: string) => ({
  task: 'summarize',
  input: { text: `Write to ${EMAIL} about the invoice today. The invoice is due on Friday.` },
  webhook: { url },
});
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

describe('dropping inputs and outputs once delivered', () => {
  let gw: Gateway;
  let redis: RedisClient;
  let kafka: KafkaCollector;
  let ephemeral: string;
  let keeper: string;
  const rx = new WebhookReceiver();

  before(async () => {
    await rx.start();
    gw = await startGateway({
      config: config(rx.port),
      apps: ['ingest-api', 'worker-llm', 'dispatcher'],
    });
    redis = gw.redis();
    kafka = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.results]).start();
    ephemeral = await gw.tenantKey('ephemeral', undefined, true);
    keeper = await gw.tenantKey('keeper', undefined, true);
  });
  after(async () => {
    redis?.disconnect();
    await kafka?.stop();
    await gw?.stop();
    await rx.stop();
  });

  const shardKey = (kind: string, id: string) =>
    `${gw.prefix}:{s${ALPHABET.indexOf(id.at(-1)!) % 8}}:${kind}:${id}`;
  const record = async (key: string, id: string) =>
    (await call(`${gw.url}/v1/jobs/${id}`, { key })).body;
  const resultOf = (id: string) =>
    kafka.events.find((e) => e.topic === gw.topics.results && (e.value.data as any)?.id === id);

  it('keeps payloads until Kafka and the webhook have the result, then drops them', async () => {
    const sent = await call(`${gw.url}/v1/jobs`, { key: ephemeral, body: job(rx.url('/ok/a')) });
    assert.equal(sent.status, 202);
    const id = sent.body.id as string;
    assert.equal(sent.body.policy.dropAfterDeliverySec, 0);
    await until('the webhook', () => rx.on('/ok/a').length === 1);
    await kafka.waitFor('the result event', () => resultOf(id) !== undefined);
    // Both got the whole result, restored.
    assert.ok(rx.on('/ok/a')[0].body.includes(EMAIL));
    assert.ok(JSON.stringify(resultOf(id)!.value).includes(EMAIL));
    await until('the drop', async () => !!(await record(ephemeral, id)).policy.payloadsDroppedAt);
    const dropped = await record(ephemeral, id);
    assert.equal(dropped.status, 'succeeded');
    assert.equal(dropped.output, null);
    assert.equal(await redis.exists(shardKey('req', id)), 0, 'the request is gone');
    assert.equal(await redis.exists(shardKey('pii', id)), 0, 'the pseudonym mapping is gone');

    // Another tenant keeps its payloads for the retention window.
    const kept = await call(`${gw.url}/v1/jobs`, { key: keeper, body: job(rx.url('/ok/b')) });
    await until('the keeper webhook', () => rx.on('/ok/b').length === 1);
    await kafka.waitFor('its result event', () => resultOf(kept.body.id) !== undefined);
    await new Promise((r) => setTimeout(r, 2500));
    const k = await record(keeper, kept.body.id);
    assert.ok(JSON.stringify(k.output).includes(EMAIL));
    assert.equal(k.policy.payloadsDroppedAt, undefined);
    assert.equal(await redis.exists(shardKey('req', kept.body.id)), 1);
  });

  it('waits for a webhook that is still being retried', async () => {
    const sent = await call(`${gw.url}/v1/jobs`, { key: ephemeral, body: job(rx.url('/down')) });
    const id = sent.body.id as string;
    await kafka.waitFor('the result event', () => resultOf(id) !== undefined);
    await until('a failed attempt', () => rx.on('/down').length >= 1);
    await new Promise((r) => setTimeout(r, 1500));
    const waiting = await record(ephemeral, id);
    assert.equal(waiting.policy.payloadsDroppedAt, undefined, 'not dropped while retrying');
    assert.ok(JSON.stringify(waiting.output).includes(EMAIL));
    rx.recover();
    await until('the drop after delivery', async () => {
      return !!(await record(ephemeral, id)).policy.payloadsDroppedAt;
    });
    const attempts = await call(`${gw.url}/v1/jobs/${id}/webhooks`, { key: ephemeral });
    assert.ok(
      attempts.body.data.some((a: { outcome: string }) => a.outcome === 'delivered'),
      JSON.stringify(attempts.body),
    );
    assert.ok(rx.on('/down').at(-1)!.body.includes(EMAIL), 'the delivered webhook had the output');
  });
});
