import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { Webhook } from 'standardwebhooks';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { until, WebhookReceiver, type ReceivedHook } from '../support/webhook-receiver';

const config = (port: number) => `
providers:
  - { id: local, type: local }
deployments:
  - { id: local-chat, provider: local, model: chat-small, class: llm, tasks: [chat] }
tenants:
  - { id: acme }
  - { id: globex }
webhooks: { allowHosts: ["127.0.0.1:${port}"], timeoutMs: 2000, schedule: [0.2, 0.2, 0.2] }
`;

const line = (id: string, text: string) =>
  JSON.stringify({
    custom_id: id,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'local-chat', messages: [{ role: 'user', content: text }], max_tokens: 16 },
  });

type BatchEvent = {
  type: string;
  timestamp: string;
  data: Record<string, unknown> & { id: string; status: string };
};

function verify(hook: ReceivedHook, secret: string): BatchEvent {
  const h = hook.headers;
  return new Webhook(secret).verify(hook.body, {
    'webhook-id': String(h['webhook-id']),
    'webhook-timestamp': String(h['webhook-timestamp']),
    'webhook-signature': String(h['webhook-signature']),
  }) as BatchEvent;
}

describe('batch.* webhook events', () => {
  let gw: Gateway;
  let key: string;
  let otherKey: string;
  let client: OpenAI;
  const rx = new WebhookReceiver();
  const endpoint = async (k: string, path: string, events?: string[]) => {
    const r = await call(`${gw.url}/v1/webhooks`, {
      key: k,
      body: { url: rx.url(path), ...(events ? { events } : {}) },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body as { id: string; secret: string; events: string[] };
  };
  const runBatch = async (endpointPath: '/v1/chat/completions' | '/v1/embeddings') => {
    const file = await client.files.create({
      file: await toFile(
        Buffer.from([line('a', 'Hello?'), line('b', 'Hi?')].join('\n')),
        'b.jsonl',
      ),
      purpose: 'batch',
    });
    const b = await client.batches.create({
      input_file_id: file.id,
      endpoint: endpointPath,
      completion_window: '24h',
    });
    return b.id;
  };

  before(async () => {
    await rx.start();
    // With a payload key: endpoint secrets are stored encrypted, and the dispatcher signs with them.
    gw = await startGateway({
      config: config(rx.port),
      apps: ['ingest-api', 'worker-llm', 'dispatcher'],
      env: { GATEWAY_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
    });
    key = await gw.tenantKey('acme', undefined, true);
    otherKey = await gw.tenantKey('globex', undefined, true);
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await rx.stop();
  });

  it('sends a signed batch.completed / batch.failed to subscribed endpoints only, with attempts on the batch', async () => {
    const batchEp = await endpoint(key, '/ok-batch', ['batch.completed', 'batch.failed']);
    const jobsEp = await endpoint(key, '/ok-jobs', ['job.succeeded']);
    // A new endpoint subscribes to every event type by default, batch events included.
    const allEp = await endpoint(otherKey, '/ok-globex');
    assert.ok(allEp.events.includes('batch.completed'));
    assert.ok(jobsEp.events.length === 1);
    const redis = gw.redis();
    const raw = await redis
      .get(`${gw.prefix}:wh:ep:${batchEp.id}`)
      .finally(() => redis.disconnect());
    assert.ok(raw && !raw.includes('whsec_'), `secret stored encrypted: ${raw}`);

    const completedId = await runBatch('/v1/chat/completions');
    await until(
      'batch.completed delivery',
      () => rx.on('/ok-batch').some((h) => h.body.includes(completedId)),
      30_000,
    );
    const hook = rx.on('/ok-batch').find((h) => h.body.includes(completedId))!;
    const ev = verify(hook, batchEp.secret);
    assert.equal(ev.type, 'batch.completed');
    assert.equal(hook.headers['webhook-id'], `msg_${completedId}_${batchEp.id}`);
    // The batch as GET /v1/batches/:id shows it, with final counts and no internal fields.
    const shown = await client.batches.retrieve(completedId);
    assert.equal(ev.data.id, completedId);
    assert.equal(ev.data.status, 'completed');
    assert.deepEqual(ev.data.request_counts, { total: 2, completed: 2, failed: 0 });
    assert.equal(ev.data.output_file_id, shown.output_file_id);
    assert.equal(Date.parse(ev.timestamp), shown.completed_at! * 1000);
    for (const internal of ['tenantId', 'keyId', 'scopes', 'cursor', 'offset'])
      assert.equal(internal in ev.data, false, internal);

    const failedId = await runBatch('/v1/embeddings');
    await until(
      'batch.failed delivery',
      () => rx.on('/ok-batch').some((h) => h.body.includes(failedId)),
      30_000,
    );
    const failed = verify(
      rx.on('/ok-batch').find((h) => h.body.includes(failedId))!,
      batchEp.secret,
    );
    assert.equal(failed.type, 'batch.failed');
    assert.equal(failed.data.status, 'failed');

    // The job endpoint got the batch's jobs, never a batch event; the other tenant nothing.
    await until('job events', () => rx.on('/ok-jobs').length >= 2);
    for (const h of rx.on('/ok-jobs')) assert.equal(verify(h, jobsEp.secret).type, 'job.succeeded');
    assert.equal(rx.on('/ok-globex').length, 0);
    assert.equal(rx.on('/ok-batch').length, 2, 'one delivery per batch');

    // The attempt is recorded once the receiver's answer is in, a moment after it got the hook.
    await until('attempt recorded', async () => {
      const r = await call(`${gw.url}/v1/batches/${completedId}/webhooks`, { key });
      return r.body.data.length > 0;
    });
    const attempts = await call(`${gw.url}/v1/batches/${completedId}/webhooks`, { key });
    assert.equal(attempts.status, 200);
    assert.equal(attempts.body.data.length, 1);
    assert.equal(attempts.body.data[0].event, 'batch.completed');
    assert.equal(attempts.body.data[0].outcome, 'delivered');
    assert.equal(attempts.body.data[0].endpointId, batchEp.id);
    const foreign = await call(`${gw.url}/v1/batches/${completedId}/webhooks`, { key: otherKey });
    assert.equal(foreign.status, 404);
  });

  it('refuses an unknown event type at endpoint creation', async () => {
    const r = await call(`${gw.url}/v1/webhooks`, {
      key,
      body: { url: rx.url('/ok-x'), events: ['batch.finished'] },
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'validation_failed');
  });
});
