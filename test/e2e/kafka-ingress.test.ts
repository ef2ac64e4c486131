import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { textHeaders } from '@gateway/events';
import { Kafka, logLevel, type Consumer, type Message, type Producer } from 'kafkajs';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { KafkaCollector } from '../support/kafka-collector';

/** 10,000 in `npm run test:reliability`; a smaller default keeps `npm test` quick. */
const TOTAL = Number(process.env.INGRESS_TEST_MESSAGES ?? 1000);
/** Waits grow with the size: about 20 ms per message on a loaded 2-core machine, 60 s at least. */
const waitMs = (minMs: number) => Math.max(minMs, TOTAL * 20);

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: fast-llm, provider: local, model: fast, class: llm, tasks: [summarize], limits: { maxConcurrency: 64 } }
routes:
  - { match: { task: summarize }, strategy: priority, targets: [fast-llm] }
tenants:
  - { id: acme, limits: { rpm: 1000000, tpm: 1000000000 } }
`;

type Kind = 'valid' | 'bad-schema' | 'bad-key' | 'not-json';

/** The planned messages: 1 % invalid (three kinds), the rest valid, each with its own ce_id. */
function plan(total: number, key: string): { kind: Kind; msg: Message }[] {
  const invalidEvery = 100;
  const kinds: Kind[] = ['bad-schema', 'bad-key', 'not-json'];
  return Array.from({ length: total }, (_, i) => {
    const kind: Kind = i % invalidEvery === 50 ? kinds[((i / invalidEvery) % 3) | 0] : 'valid';
    const body =
      kind === 'bad-schema'
        ? JSON.stringify({ task: 'summarize', input: { txt: 'wrong field' } })
        : kind === 'not-json'
          ? 'not json {'
          : JSON.stringify({
              task: 'summarize',
              input: { text: `Message ${i} goes through Kafka.` },
            });
    const auth = kind === 'bad-key' ? 'Bearer gw_invalidinvalidinvalid0000' : `Bearer ${key}`;
    return {
      kind,
      msg: { key: `corr-${i}`, value: body, headers: { authorization: auth, ce_id: `ev-${i}` } },
    };
  });
}

describe('Kafka request ingress', () => {
  let gw: Gateway;
  let producer: Producer;
  let collector: KafkaCollector;
  let dlqConsumer: Consumer;
  const dlqEvents: { key: string | null; value: string; headers: Record<string, string> }[] = [];

  before(async () => {
    gw = await startGateway({ config: CONFIG, apps: ['ingest-api', 'worker-llm', 'dispatcher'] });
    const kafka = new Kafka({
      clientId: 'ingress-test',
      brokers: gw.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    producer = kafka.producer();
    await producer.connect();
    collector = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.results]).start();
    // The DLQ holds values that are not JSON, so it is read raw.
    dlqConsumer = kafka.consumer({ groupId: `dlq-${gw.prefix}` });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topics: [gw.topics.requestsDlq], fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        dlqEvents.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
          headers: textHeaders(message.headers),
        });
      },
    });
  });
  after(async () => {
    await producer?.disconnect();
    await collector?.stop();
    await dlqConsumer?.disconnect();
    await gw?.stop();
  });

  it(`turns ${TOTAL} messages (1% invalid, 1% duplicates) into exactly the valid results, surviving a dispatcher kill`, async () => {
    // A key's default limits (3,000 rpm) would throttle a large run to 50 messages/s.
    const key = await gw.tenantKey('acme', undefined, true, { rpm: 1_000_000, tpm: 1_000_000_000 });
    const planned = plan(TOTAL, key);
    const valid = planned.filter((p) => p.kind === 'valid');
    const invalid = planned.filter((p) => p.kind !== 'valid');
    // 1 % duplicates: the same event (ce_id and body) published again.
    const dupes = valid.filter((_, i) => i % 100 === 7).map((p) => p.msg);
    const all = [...planned.map((p) => p.msg), ...dupes];
    const half = Math.floor(all.length / 2);
    const send = async (msgs: Message[]) => {
      for (let i = 0; i < msgs.length; i += 500)
        await producer.send({ topic: gw.topics.requests, messages: msgs.slice(i, i + 500) });
    };
    const started = Date.now();
    await send(all.slice(0, half));
    const results = () => collector.events.filter((e) => e.topic === gw.topics.results);
    const dlq = () => dlqEvents;
    await collector.waitFor(
      'a quarter of the results',
      () => results().length >= valid.length / 4,
      waitMs(60_000),
    );
    await gw.kill('dispatcher');
    await send(all.slice(half));
    await gw.start('dispatcher');
    const distinctKeys = () => new Set(results().map((e) => e.key)).size;
    await collector.waitFor(
      'every result and DLQ message',
      () => distinctKeys() >= valid.length && dlq().length >= invalid.length,
      waitMs(120_000),
    );
    const seconds = (Date.now() - started) / 1000;
    // Give stragglers a moment: nothing more may arrive in the DLQ.
    await new Promise((r) => setTimeout(r, 1500));

    const jobsByKey = new Map<string, Set<string>>();
    for (const e of results()) {
      const set = jobsByKey.get(e.key!) ?? new Set<string>();
      set.add(String(e.value.id));
      jobsByKey.set(e.key!, set);
    }
    assert.deepEqual([...jobsByKey.keys()].sort(), valid.map((p) => String(p.msg.key)).sort());
    for (const [k, ids] of jobsByKey) assert.equal(ids.size, 1, `one job for ${k}`);
    for (const e of results()) assert.equal(e.value.type, 'ai.job.succeeded.v1');

    assert.equal(dlq().length, invalid.length);
    const expected = new Map(invalid.map((p) => [String(p.msg.key), p]));
    const codes: Record<Kind, string> = {
      'bad-schema': 'validation_failed',
      'bad-key': 'unauthenticated',
      'not-json': 'invalid_json',
      valid: '',
    };
    for (const e of dlq()) {
      const p = expected.get(e.key!);
      assert.ok(p, `unexpected DLQ key ${e.key}`);
      assert.equal(e.headers.authorization, undefined, 'authorization stripped');
      assert.equal(e.headers.ce_id, (p.msg.headers as Record<string, string>).ce_id);
      assert.equal(e.headers['gateway-error-code'], codes[p.kind]);
      assert.ok(e.headers['gateway-error-message']);
      assert.equal(e.value, String(p.msg.value), 'the original value');
    }
    console.log(
      `[ingress] ${all.length} messages → ${valid.length} results in ${seconds.toFixed(1)} s`,
    );
  });
});
