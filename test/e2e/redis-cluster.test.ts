import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JobRequest, TASKS, type TaskName } from '@gateway/contracts';
import { estimateTokens } from '@gateway/routing';
import { Cluster } from 'ioredis';
import OpenAI, { toFile } from 'openai';
import { startRedisCluster, type RedisClusterHandle } from '../../infra/src';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { assertIdempotency } from '../support/idempotency-check';
import { solidPng, textPng } from '../support/images';
import { KafkaCollector } from '../support/kafka-collector';
import { repoRoot, testInfra } from '../support/repo';
import { until, WebhookReceiver } from '../support/webhook-receiver';

/** $0.001 per input token, $0.002 per output token, and slow: nothing settles mid-burst. */
const CONFIG = (hookPort: number, budgetUsd: number) => `
providers:
  - { id: local, type: local }
deployments:
  - { id: slow-llm, provider: local, model: slow, class: llm, tasks: [chat, summarize], region: local,
      limits: { maxConcurrency: 1 }, simulate: { latencyMs: 4000 } }
  - { id: priced-llm, provider: local, model: priced, class: llm, tasks: [summarize], region: local,
      price: { inputPerMTok: 1000, outputPerMTok: 2000 }, limits: { maxConcurrency: 8 },
      simulate: { latencyMs: 3000 } }
routes:
  - { match: { model: slow }, strategy: priority, targets: [slow-llm] }
  - { match: { model: priced }, strategy: priority, targets: [priced-llm] }
tenants:
  - { id: acme }
  - { id: globex }
  - { id: limited, limits: { rpm: 20 } }
  - { id: budget, budgets: { dailyUsd: ${budgetUsd} } }
  - { id: ephemeral, pii: pseudonymise, privacy: { dropPayloadsOnDelivery: true, graceSeconds: 0 } }
  - { id: erased }
webhooks: { allowHosts: ["127.0.0.1:${hookPort}"], timeoutMs: 2000, schedule: [0.2, 0.2, 0.2] }
`;

const PRICED = {
  task: 'summarize',
  model: 'priced',
  input: {
    text: 'Budgets hold on a Redis Cluster. Reservations settle with the cost.',
    maxWords: 8,
  },
};
const RESERVATION = (() => {
  const t = estimateTokens(JobRequest.parse(PRICED));
  return Math.round((t.inputTokens * 1000 + t.maxOutputTokens * 2000) * 1e3) / 1e9;
})();
/** Room for exactly ten reservations. */
const BUDGET = Math.round(RESERVATION * 10.5 * 1e6) / 1e6;

/** Waits until the current minute has at least `needSec` left, so a fixed window holds a burst. */
async function awayFromMinuteEnd(needSec: number): Promise<void> {
  const left = 60 - ((Date.now() / 1000) % 60);
  if (left < needSec) await new Promise((r) => setTimeout(r, left * 1000 + 200));
}

describe('the gateway on a 3-master Redis Cluster', () => {
  /** Started here unless the runner's cluster is there (`GATEWAY_TEST_REDIS=cluster`). */
  let cluster: RedisClusterHandle | undefined;
  let nodes: readonly string[];
  let gw: Gateway;
  let replica: string;
  let kafka: KafkaCollector;
  let rx: WebhookReceiver;
  let key: string;
  let otherKey: string;

  before(async () => {
    const t0 = Date.now();
    const shared = testInfra().redisClusterNodes;
    cluster = shared
      ? undefined
      : await startRedisCluster({
          dataDir: join(
            process.env.GATEWAY_TEST_DATA_DIR ?? join(repoRoot(), '.gateway', 'test'),
            `cluster-${process.pid}`,
          ),
          log: () => undefined,
        });
    nodes = shared ?? cluster!.nodes;
    rx = await new WebhookReceiver().start();
    gw = await startGateway({
      config: CONFIG(rx.port, BUDGET),
      redisClusterNodes: nodes,
    });
    replica = await gw.startIngestReplica('ingest-2');
    key = await gw.tenantKey('acme', undefined, true);
    otherKey = await gw.tenantKey('globex', undefined, true);
    kafka = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.results, gw.topics.audit]).start();
    console.log(`# cluster and gateway up in ${Date.now() - t0} ms`);
  });
  after(async () => {
    await kafka?.stop();
    await gw?.stop();
    await rx?.stop();
    await cluster?.stop();
  });

  it('runs every task type to succeeded, with result events in Kafka', async () => {
    const red = await solidPng(220, 20, 20);
    const words = await textPng('HELLO CLUSTER');
    const inputs: Record<TaskName, unknown> = {
      chat: { messages: [{ role: 'user', content: 'Hello, how are you today?' }] },
      summarize: { text: 'Redis keeps the queue. Kafka carries the results. Workers call models.' },
      classify: { text: 'I love this, it is great', labels: ['positive', 'negative'] },
      extract: {
        text: 'Write to jane.doe@example.com by 2026-03-14.',
        schema: { type: 'object', properties: { email: { type: 'string', format: 'email' } } },
      },
      embed: { input: ['queue jobs in redis', 'publish results to kafka'], dimensions: 32 },
      'image.classify': { image: { base64: red, mediaType: 'image/png' }, labels: ['red', 'blue'] },
      'image.caption': { image: { base64: red, mediaType: 'image/png' } },
      'image.ocr': { image: { base64: words, mediaType: 'image/png' } },
    };
    const ids = new Map<string, TaskName>();
    for (const task of Object.keys(inputs) as TaskName[]) {
      const res = await call(`${gw.url}/v1/jobs`, { key, body: { task, input: inputs[task] } });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      ids.set(res.body.id, task);
    }
    for (const [id, task] of ids) {
      const res = await call(`${gw.url}/v1/jobs/${id}?wait=30`, { key });
      assert.equal(res.body.status, 'succeeded', `${task}: ${JSON.stringify(res.body.error)}`);
      assert.ok(TASKS[task].output.safeParse(res.body.output).success, `${task} output`);
    }
    await kafka.waitFor('a result event per job', (ev) =>
      [...ids.keys()].every((id) =>
        ev.some(
          (e) =>
            e.topic === gw.topics.results &&
            e.value.id === id &&
            e.value.type === 'ai.job.succeeded.v1',
        ),
      ),
    );
    // The jobs' keys really are spread over the masters (the shards hash to different slots).
    const client = new Cluster(
      nodes.map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })),
    );
    try {
      await client.ping();
      const perMaster = await Promise.all(
        client.nodes('master').map(async (m) => (await m.keys(`${gw.prefix}:*`)).length),
      );
      assert.ok(
        perMaster.filter((n) => n > 0).length >= 2,
        `keys on several masters: ${perMaster.join(', ')}`,
      );
    } finally {
      client.disconnect();
    }
    // The tenant's list (its index in the tenant's slot, records in the shards' slots).
    const list = await call(`${gw.url}/v1/jobs?limit=100`, { key });
    assert.ok(
      [...ids.keys()].every((id) => list.body.data.some((j: { id: string }) => j.id === id)),
    );
  });

  it('returns the same job for the same Idempotency-Key and body, 409 for another body', async () => {
    await assertIdempotency({ first: gw.url, second: replica, key, otherKey });
  });

  it('holds a tenant rpm of 20 exactly under 60 requests through two ingest processes', async () => {
    const limited = await gw.tenantKey('limited', undefined, true);
    await awayFromMinuteEnd(15);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(`${i % 2 ? replica : gw.url}/v1/jobs`, {
          key: limited,
          body: { task: 'embed', input: { input: `text ${i}` } },
        }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 202).length, 20);
    const refused = results.filter((r) => r.status === 429);
    assert.equal(refused.length, 40);
    assert.ok(refused.every((r) => r.body.error.code === 'rate_limited'));
  });

  it('holds a tenant budget exactly under 40 parallel submissions through two ingest processes', async () => {
    const budgetKey = await gw.tenantKey('budget', undefined, true);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(`${i % 2 ? replica : gw.url}/v1/jobs`, { key: budgetKey, body: PRICED }),
      ),
    );
    const accepted = results.filter((r) => r.status === 202);
    const refused = results.filter((r) => r.status === 402);
    assert.equal(accepted.length, 10, 'ten reservations fit the budget');
    assert.equal(
      refused.length,
      30,
      JSON.stringify(
        results.filter((r) => r.status !== 202 && r.status !== 402).map((r) => r.body),
      ),
    );
    assert.equal(refused[0].body.error.code, 'budget_exceeded');
    // They settle to their actual cost when they end (the reservation is the worst case).
    for (const r of accepted) {
      const done = await call(`${gw.url}/v1/jobs/${r.body.id}?wait=30`, { key: budgetKey });
      assert.equal(done.body.status, 'succeeded');
    }
  });

  it('delivers to a webhook endpoint created on the cluster', async () => {
    const created = await call(`${gw.url}/v1/webhooks`, {
      key,
      body: { url: rx.url('/ok-cluster'), events: ['job.succeeded'] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const listed = await call(`${replica}/v1/webhooks`, { key });
    assert.ok(listed.body.data.some((e: { id: string }) => e.id === created.body.id));
    const job = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { task: 'classify', input: { text: 'wonderful', labels: ['good', 'bad'] } },
    });
    await until('the endpoint delivery', () =>
      rx.on('/ok-cluster').some((h) => h.body.includes(job.body.id)),
    );
    const del = await call(`${gw.url}/v1/webhooks/${created.body.id}`, { key, method: 'DELETE' });
    assert.ok(del.status === 200 || del.status === 204, String(del.status));
    assert.equal((await call(`${gw.url}/v1/webhooks`, { key })).body.data.length, 0);
  });

  it('drops a delivered job’s payloads once its result is on Kafka and its webhook delivered', async () => {
    const eph = await gw.tenantKey('ephemeral', undefined, true);
    const job = await call(`${gw.url}/v1/jobs`, {
      key: eph,
      body: {
        task: 'summarize',
        input: { text: 'Mail jane.doe@example.com about the queue. Kafka carries results.' },
        webhook: { url: rx.url('/ok-ephemeral') },
      },
    });
    assert.equal(job.status, 202, JSON.stringify(job.body));
    await until('the job webhook', () => rx.on('/ok-ephemeral').length === 1);
    let rec: { output: unknown; policy: { payloadsDroppedAt?: string } } | undefined;
    await until('the drop', async () => {
      rec = (await call(`${gw.url}/v1/jobs/${job.body.id}`, { key: eph })).body;
      return !!rec?.policy.payloadsDroppedAt;
    });
    assert.equal(rec?.output, null);
  });

  it('erases a tenant’s jobs and idempotency keys, scanning every master', async () => {
    const erasedKey = await gw.tenantKey('erased', undefined, true);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await call(`${gw.url}/v1/jobs`, {
        key: erasedKey,
        body: { task: 'embed', input: { input: `erase me ${i}` } },
        headers: { 'idempotency-key': `erase-${i}` },
      });
      assert.equal(r.status, 202);
      ids.push(r.body.id);
    }
    const erased = await call(`${gw.url}/admin/tenants/erased/data`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${gw.adminKey}` },
    });
    assert.equal(erased.status, 200, JSON.stringify(erased.body));
    assert.equal(erased.body.jobs, 12);
    // Twelve keys hash to several shards, hence to several masters: all found and deleted.
    assert.equal(erased.body.idempotencyKeys, 12);
    for (const id of ids.slice(0, 3))
      assert.equal((await call(`${gw.url}/v1/jobs/${id}`, { key: erasedKey })).status, 404);
  });

  it('creates, rotates and revokes API keys and admin credentials', async () => {
    const admin = { authorization: `Bearer ${gw.adminKey}` };
    const k = await call(`${gw.url}/admin/tenants/acme/keys`, {
      headers: admin,
      body: { scopes: ['jobs:read'] },
    });
    assert.equal(k.status, 201);
    assert.equal((await call(`${replica}/v1/jobs`, { key: k.body.key })).status, 200);
    const rotated = await call(`${gw.url}/admin/keys/${k.body.id}/rotate`, {
      headers: admin,
      body: { graceSeconds: 60 },
    });
    assert.equal(rotated.status, 201);
    assert.equal((await call(`${replica}/v1/jobs`, { key: rotated.body.key })).status, 200);
    assert.equal((await call(`${replica}/v1/jobs`, { key: k.body.key })).status, 200, 'grace');
    const keys = await call(`${gw.url}/admin/tenants/acme/keys`, { headers: admin });
    assert.ok(keys.body.data.some((x: { id: string }) => x.id === rotated.body.id));
    for (const id of [k.body.id, rotated.body.id]) {
      const r = await call(`${gw.url}/admin/keys/${id}`, { headers: admin, method: 'DELETE' });
      assert.ok(r.status === 200 || r.status === 204, String(r.status));
    }
    for (const url of [gw.url, replica]) {
      assert.equal((await call(`${url}/v1/jobs`, { key: k.body.key })).status, 401);
      assert.equal((await call(`${url}/v1/jobs`, { key: rotated.body.key })).status, 401);
    }
    const after = await call(`${gw.url}/admin/tenants/acme/keys`, { headers: admin });
    assert.ok(!after.body.data.some((x: { id: string }) => x.id === rotated.body.id));

    const cred = await call(`${gw.url}/admin/credentials`, {
      headers: admin,
      body: { name: 'cluster-viewer', role: 'viewer' },
    });
    assert.equal(cred.status, 201, JSON.stringify(cred.body));
    const viewer = { authorization: `Bearer ${cred.body.credential}` };
    assert.equal((await call(`${replica}/admin/tenants`, { headers: viewer })).status, 200);
    const creds = await call(`${gw.url}/admin/credentials`, { headers: admin });
    assert.ok(creds.body.data.some((c: { id: string }) => c.id === cred.body.id));
    await call(`${gw.url}/admin/credentials/${cred.body.id}`, { headers: admin, method: 'DELETE' });
    assert.equal((await call(`${replica}/admin/tenants`, { headers: viewer })).status, 401);
  });

  it('answers OpenAI chat completions and runs a small batch', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
    const chat = await client.chat.completions.create({
      model: 'local-llm',
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    assert.ok(chat.choices[0].message.content!.length > 0);
    const line = (id: string, text: string) =>
      JSON.stringify({
        custom_id: id,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: 'local-llm', messages: [{ role: 'user', content: text }], max_tokens: 16 },
      });
    const file = await client.files.create({
      file: await toFile(
        Buffer.from([line('a', 'Hi there'), line('b', 'What is Redis?')].join('\n')),
        'in.jsonl',
      ),
      purpose: 'batch',
    });
    assert.ok((await client.files.list()).data.some((f) => f.id === file.id));
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    let done = batch;
    for (let i = 0; i < 150 && !['completed', 'failed'].includes(done.status); i++) {
      await new Promise((r) => setTimeout(r, 200));
      done = await client.batches.retrieve(batch.id);
    }
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.deepEqual(done.request_counts, { total: 2, completed: 2, failed: 0 });
    const out = (await (await client.files.content(done.output_file_id!)).text())
      .trim()
      .split('\n');
    assert.deepEqual(out.map((l) => JSON.parse(l).custom_id).sort(), ['a', 'b']);
    assert.ok((await client.batches.list()).data.some((b) => b.id === batch.id));
  });

  it('cancels a queued job (it never runs) and a running one', async () => {
    const body = { task: 'summarize', model: 'slow', input: { text: 'One. Two.' } };
    const running = (await call(`${gw.url}/v1/jobs`, { key, body })).body;
    const queued = (await call(`${gw.url}/v1/jobs`, { key, body })).body;
    await until(
      'the first slow job running',
      async () =>
        (await call(`${gw.url}/v1/jobs/${running.id}`, { key })).body.status === 'running',
    );
    const c2 = await call(`${replica}/v1/jobs/${queued.id}`, { key, method: 'DELETE' });
    assert.equal(c2.body.status, 'cancelled');
    const c1 = await call(`${gw.url}/v1/jobs/${running.id}`, { key, method: 'DELETE' });
    assert.equal(c1.body.status, 'cancelled');
    const again = await call(`${gw.url}/v1/jobs/${running.id}`, { key, method: 'DELETE' });
    assert.equal(again.status, 409);
    const q = await call(`${gw.url}/v1/jobs/${queued.id}`, { key });
    assert.equal(q.body.startedAt, null, 'the queued job never ran');
    await kafka.waitFor('cancelled result events', (ev) =>
      [running.id, queued.id].every((id) =>
        ev.some((e) => e.value.id === id && e.value.type === 'ai.job.cancelled.v1'),
      ),
    );
  });

  it('serves the operator views over data spread on the masters', async () => {
    const admin = { authorization: `Bearer ${gw.adminKey}` };
    for (const path of [
      '/admin',
      '/admin/queues/stats',
      '/admin/failures',
      '/admin/usage?tenant=budget',
      '/admin/webhooks/dead',
      '/metrics',
    ]) {
      const r = await call(`${gw.url}${path}`, { headers: admin });
      assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body).slice(0, 300)}`);
    }
    const usage = await call(`${gw.url}/admin/usage?tenant=budget`, { headers: admin });
    assert.ok(
      usage.body.data.some((row: { jobs: number }) => row.jobs >= 10),
      JSON.stringify(usage.body),
    );
  });

  it('logged no cross-slot refusal in any process, background loops included', () => {
    const bad = gw
      .output()
      .split('\n')
      .filter((l) => /CROSSSLOT|same slot|slots allocation group/.test(l));
    assert.deepEqual(bad, []);
  });
});
