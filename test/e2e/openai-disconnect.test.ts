/**
 * A client that goes away before its chat completion is answered cancels the job behind it:
 * a queued job never reaches the provider, a running provider call is aborted (the OpenAI test
 * server sees the connection dropped), the record ends `cancelled` and the budget
 * reservation is released. Over real HTTP, through the ingest API, queue and worker.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { RedisClient } from '@gateway/storage';
import OpenAI from 'openai';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { startOpenAiServer, type OpenAiServer } from '../support/vendor-servers/openai.server';
import type { RecordedRequest } from '../support/vendor-servers/vendor-server';

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    }),
  ]);
}

const userText = (r: RecordedRequest) => JSON.stringify(r.body?.messages ?? []);

describe('OpenAI façade: a client that goes away cancels its job', () => {
  let upstream: OpenAiServer;
  let gw: Gateway;
  let key: string;
  let client: OpenAI;
  let redis: RedisClient;

  before(async () => {
    upstream = await startOpenAiServer();
    const config = {
      providers: [
        { id: 'openai', type: 'openai', baseUrl: upstream.baseUrl, apiKey: 'sk-test' },
      ].map((p) => ({ ...p, timeoutMs: 60_000 })),
      deployments: [
        {
          id: 'gpt',
          provider: 'openai',
          model: 'gpt-4o-mini',
          class: 'llm',
          tasks: ['chat'],
          region: 'us',
          price: { inputPerMTok: 1, outputPerMTok: 2 },
          // One call at a time, so a second job waits in the queue behind a hanging one.
          limits: { maxConcurrency: 1 },
          capabilities: ['streaming'],
        },
      ],
      tenants: [{ id: 'acme', budgets: { dailyUsd: 50 } }],
    };
    gw = await startGateway({
      config: JSON.stringify(config),
      apps: ['ingest-api', 'worker-llm'],
    });
    key = await gw.tenantKey('acme', ['jobs:write', 'jobs:read'], true);
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
    redis = gw.redis();
  });
  after(async () => {
    redis?.disconnect();
    await gw?.stop();
    await upstream?.close();
  });
  beforeEach(() => upstream.reset());

  const budget = async () => {
    const day = new Date().toISOString().slice(0, 10);
    const [spent, reserved] = await redis.hmget(
      `${gw.prefix}:{t:acme}:budget:d:${day}`,
      'spent',
      'reserved',
    );
    return { spent: Number(spent ?? 0), reserved: Number(reserved ?? 0) };
  };
  const job = async (id: string) => (await call(`${gw.url}/v1/jobs/${id}`, { key })).body;
  const newestJob = async () =>
    (await call(`${gw.url}/v1/jobs?limit=1`, { key })).body.data?.[0] as
      { id: string; status: string } | undefined;
  const ended = (id: string) =>
    until(`job ${id} to end`, async () => {
      const r = await job(id);
      return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
    });
  const released = () =>
    until('the budget reservations to be released', async () => {
      const b = await budget();
      return b.reserved === 0 ? b : undefined;
    });
  /** A chat completion over plain fetch, abortable; its outcome never throws. */
  const post = (content: string, signal: AbortSignal) =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content }] }),
      signal,
    }).catch((e: unknown) => e);

  it('aborts the running provider call when a non-streaming client disconnects', async () => {
    const ac = new AbortController();
    const pending = post('Think long about this __hang__', ac.signal);
    const seen = await within(upstream.nextRequest(), 10_000, 'the provider call');
    const running = (await newestJob())!;
    assert.equal((await job(running.id)).status, 'running');
    assert.ok((await budget()).reserved > 0, 'the job holds a budget reservation');

    ac.abort();
    assert.ok((await pending) instanceof Error, 'the client gave up');
    const dropped = await within(upstream.nextAbandoned(), 10_000, 'the upstream abort');
    assert.equal(dropped, seen, 'the provider call the job made is the one aborted');
    const rec = await ended(running.id);
    assert.equal(rec.status, 'cancelled');
    assert.equal(rec.error.code, 'cancelled');
    assert.match(rec.error.message, /client closed the connection/);
    assert.deepEqual(await released(), { spent: 0, reserved: 0 });
  });

  it('aborts the provider stream when a streaming client stops reading', async () => {
    upstream.setChunkDelay(400);
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'gpt',
        messages: [{ role: 'user', content: 'Stream me an answer slowly.' }],
        stream: true,
      })
      .withResponse();
    const jobId = response.headers.get('x-gateway-job-id')!;
    assert.match(jobId, /^job_/);
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (text.length > 0) break; // leaving the loop aborts the SDK's request
    }
    assert.equal(text, 'Paris', 'the first relayed token');
    const dropped = await within(upstream.nextAbandoned(), 10_000, 'the upstream abort');
    assert.equal(dropped.body?.stream, true);
    const rec = await ended(jobId);
    assert.equal(rec.status, 'cancelled');
    assert.match(rec.error.message, /client closed the connection/);
    assert.deepEqual(await released(), { spent: 0, reserved: 0 });
  });

  it('never runs a queued job whose client disconnected', async () => {
    // A job that hangs at the provider holds the deployment's only slot.
    const blocker = await call(`${gw.url}/v1/jobs`, {
      key,
      body: {
        task: 'chat',
        model: 'gpt',
        input: { messages: [{ role: 'user', content: 'Hold the slot __hang__' }] },
      },
    });
    assert.equal(blocker.status, 202);
    await within(upstream.nextRequest(), 10_000, 'the blocking call');

    const ac = new AbortController();
    const pending = post('queued-marker: never send me upstream', ac.signal);
    const queued = await until('the second job to be queued', async () => {
      const j = await newestJob();
      return j && j.id !== blocker.body.id ? j : undefined;
    });
    assert.equal(queued.status, 'queued');
    ac.abort();
    assert.ok((await pending) instanceof Error);
    const rec = await ended(queued.id);
    assert.equal(rec.status, 'cancelled');
    assert.equal(rec.startedAt ?? null, null, 'it never started');

    // Free the slot: the next job runs, and the cancelled one never reaches the provider.
    assert.equal(
      (await call(`${gw.url}/v1/jobs/${blocker.body.id}`, { key, method: 'DELETE' })).status,
      200,
    );
    const after = await client.chat.completions.create({
      model: 'gpt',
      messages: [{ role: 'user', content: 'And now a normal question.' }],
    });
    assert.equal(after.choices[0].message.content, 'Paris is the capital of France.');
    assert.ok(!upstream.requests.some((r) => userText(r).includes('queued-marker')));
    assert.equal(upstream.requests.length, 2, 'the blocker and the last call only');
    const b = await released();
    assert.ok(b.spent > 0, 'only the answered call is charged');
  });
});
