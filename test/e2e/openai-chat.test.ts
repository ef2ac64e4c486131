import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, {
  AuthenticationError,
  BadRequestError,
  NotFoundError,
  RateLimitError,
} from 'openai';
import { startGateway, type Gateway } from '../support/gateway-harness';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: local-chat, provider: local, model: chat-small, class: llm, tasks: [chat], aliases: [gpt-4o-mini],
      capabilities: [streaming, json, tools], simulate: { latencyMs: 400 } }
  - { id: local-embed, provider: local, model: embed-small, class: embeddings, tasks: [embed],
      aliases: [text-embedding-3-small] }
tenants:
  - { id: acme }
  - { id: narrow, models: ["local-embed"] }
`;

describe('OpenAI façade through the official SDK: chat, embeddings, models', () => {
  let gw: Gateway;
  let client: OpenAI;
  let narrow: OpenAI;

  before(async () => {
    gw = await startGateway({
      config: CONFIG,
      apps: ['ingest-api', 'worker-llm', 'worker-embeddings'],
    });
    const key = await gw.tenantKey('acme', ['jobs:write', 'jobs:read'], true);
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
    const narrowKey = await gw.tenantKey('narrow', ['jobs:write'], true);
    narrow = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: narrowKey, maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
  });

  it('answers a chat completion through a job, by alias', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello, how many words are in this sentence?' },
      ],
      max_tokens: 64,
      temperature: 0,
    });
    assert.equal(res.object, 'chat.completion');
    assert.match(res.id, /^chatcmpl-job_/);
    assert.equal(res.model, 'local-chat');
    assert.equal(res.choices[0].message.role, 'assistant');
    assert.ok((res.choices[0].message.content ?? '').length > 0);
    assert.equal(res.choices[0].finish_reason, 'stop');
    assert.ok(res.usage!.prompt_tokens > 0);
    assert.equal(res.usage!.total_tokens, res.usage!.prompt_tokens + res.usage!.completion_tokens);
    // The same call as a job: the record exists and is the tenant's.
    const jobId = res.id.slice('chatcmpl-'.length);
    const job = await fetch(`${gw.url}/v1/jobs/${jobId}`, {
      headers: { authorization: `Bearer ${client.apiKey}` },
    });
    assert.equal(job.status, 200);
    assert.equal(((await job.json()) as { status: string }).status, 'succeeded');
  });

  it('streams chunks as the worker streams, then usage and [DONE]', async () => {
    const plain = await client.chat.completions.create({
      model: 'local-chat',
      messages: [{ role: 'user', content: 'Tell me about queues and workers in one sentence.' }],
    });
    const started = Date.now();
    const stream = await client.chat.completions.create({
      model: 'local-chat',
      messages: [{ role: 'user', content: 'Tell me about queues and workers in one sentence.' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const arrivals: number[] = [];
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      if (chunk.choices.length === 0) {
        usage = chunk.usage;
        continue;
      }
      const c = chunk.choices[0];
      if (c.delta.content) {
        text += c.delta.content;
        arrivals.push(Date.now() - started);
      }
      if (c.finish_reason) finish = c.finish_reason;
    }
    assert.equal(text, plain.choices[0].message.content);
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.completion_tokens > 0, 'usage chunk');
    // Relayed as produced: the deltas spread over the simulated 400 ms, not in one burst.
    assert.ok(arrivals.length > 3);
    assert.ok(arrivals[arrivals.length - 1] - arrivals[0] > 150, JSON.stringify(arrivals));
  });

  it('embeds with base64 by default (decoded by the SDK) and with float', async () => {
    const input = ['queue jobs in redis', 'publish results to kafka'];
    const b64 = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input,
      dimensions: 32,
    });
    const flt = await client.embeddings.create({
      model: 'local-embed',
      input,
      dimensions: 32,
      encoding_format: 'float',
    });
    assert.equal(b64.object, 'list');
    assert.equal(b64.data.length, 2);
    assert.equal(flt.data[1].index, 1);
    assert.equal(flt.data[0].embedding.length, 32);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 32; j++)
        assert.ok(Math.abs(b64.data[i].embedding[j] - flt.data[i].embedding[j]) < 1e-6);
    assert.ok(flt.usage.prompt_tokens > 0);
  });

  it('lists the models a key may use', async () => {
    const all = [];
    for await (const m of client.models.list()) all.push(m.id);
    assert.deepEqual(all.sort(), [
      'gpt-4o-mini',
      'local-chat',
      'local-embed',
      // The loader adds the built-in local deployments to every config.
      'local-llm',
      'local-vision',
      'text-embedding-3-small',
    ]);
    const few = [];
    for await (const m of narrow.models.list()) few.push(m.id);
    assert.deepEqual(few.sort(), ['local-embed', 'text-embedding-3-small']);
  });

  it('raises the SDK typed errors from OpenAI-shaped bodies', async () => {
    const bad = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'gw_notakey', maxRetries: 0 });
    await assert.rejects(bad.models.list(), (e: unknown) => {
      assert.ok(e instanceof AuthenticationError);
      assert.equal(e.status, 401);
      assert.equal(e.code, 'invalid_api_key');
      return true;
    });
    await assert.rejects(
      client.chat.completions.create({ model: 'local-chat', messages: [] }),
      (e: unknown) => e instanceof BadRequestError && e.param === 'messages',
    );
    await assert.rejects(
      client.chat.completions.create({
        model: 'no-such-model',
        messages: [{ role: 'user', content: 'x' }],
      }),
      (e: unknown) => e instanceof BadRequestError && /Unknown model/.test(e.message),
    );
    await assert.rejects(
      narrow.models.retrieve('local-chat'),
      (e: unknown) => e instanceof NotFoundError,
    );
  });

  it('raises RateLimitError with the gateway retry headers once a key is over its rpm', async () => {
    const r = await fetch(`${gw.url}/admin/tenants/acme/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: ['jobs:write'], limits: { rpm: 2 } }),
    });
    assert.equal(r.status, 201);
    const limited = new OpenAI({
      baseURL: `${gw.url}/v1`,
      apiKey: ((await r.json()) as { key: string }).key,
      maxRetries: 0,
    });
    const ask = () =>
      limited.chat.completions.create({
        model: 'local-chat',
        messages: [{ role: 'user', content: 'Hi' }],
      });
    await ask(); // within the limit
    // How soon the limiter refuses depends on its smoothing; within a few calls it must.
    let refused: unknown;
    for (let i = 0; i < 5 && !refused; i++) await ask().catch((e: unknown) => (refused = e));
    assert.ok(refused instanceof RateLimitError, String(refused));
    assert.equal(refused.status, 429);
    assert.equal(refused.code, 'rate_limit_exceeded');
    assert.ok(Number(refused.headers?.get('retry-after')) > 0);
    assert.equal(refused.headers?.get('x-ratelimit-limit'), '2');
    assert.equal(refused.headers?.get('x-ratelimit-remaining'), '0');
  });
});
