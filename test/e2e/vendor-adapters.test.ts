/**
 * A job routed to each vendor adapter completes through the real ingest API, BullMQ queue and
 * worker processes, against the vendor test servers (which run in this process; the workers
 * reach them over loopback HTTP), with its usage and cost in the record and the Kafka result
 * event. Also: a vendor 400 fails the job without a retry, and a 429 pauses the queue
 * without burning an attempt.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ResultEventV1 } from '@gateway/contracts';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { KafkaCollector } from '../support/kafka-collector';
import {
  ANTHROPIC_KEYS,
  deployment,
  expectedCost,
  FLEET_ENV,
  startFleet,
  type Fleet,
  type FleetServer,
} from '../support/vendor-fleet';
import { PNG_BASE64 } from '../support/vendor-servers/conformance-cases';
import { FAKE_REPLY, FAKE_USAGE, fakeEmbedding } from '../support/vendor-servers/fake-model';

const QUESTION = 'What is the capital of France?';
const CHAT = { messages: [{ role: 'user', content: QUESTION }] };
const CHAT_OUT = { message: { role: 'assistant', content: FAKE_REPLY }, finishReason: 'stop' };
const TEXTS = ['queue jobs in redis', 'publish results to kafka'];
const EMBED_OUT = { embeddings: [fakeEmbedding(0), fakeEmbedding(1)] };
const IMAGE = { base64: PNG_BASE64, mediaType: 'image/png' };
const NO_TOKENS = { inputTokens: 0, outputTokens: 0 };
/** Gemini reports no tokens for embeddings: the adapter estimates four characters a token. */
const GEMINI_EMBED_USAGE = {
  inputTokens: TEXTS.reduce((n, t) => n + Math.ceil(t.length / 4), 0),
  outputTokens: 0,
};

interface Case {
  readonly name: string;
  readonly deployment: string;
  readonly task: string;
  readonly input: unknown;
  readonly output: unknown;
  readonly usage: { inputTokens: number; outputTokens: number };
  readonly images?: number;
  /** The vendor server and the request it must have received for this job. */
  readonly server: (f: Fleet) => FleetServer;
  readonly path: string;
  readonly credential?: (h: Record<string, unknown>) => unknown;
}

const CASES: readonly Case[] = [
  c('openai chat', 'openai-chat', 'chat', CHAT, CHAT_OUT, FAKE_USAGE, (f) => f.openai, {
    path: '/v1/chat/completions',
    credential: (h) => assert.equal(h.authorization, `Bearer ${FLEET_ENV.E2E_OPENAI_KEY}`),
  }),
  c(
    'openai embed',
    'openai-embed',
    'embed',
    { input: TEXTS },
    EMBED_OUT,
    { inputTokens: 21, outputTokens: 0 },
    (f) => f.openai,
    {
      path: '/v1/embeddings',
    },
  ),
  c('azure chat', 'azure-chat', 'chat', CHAT, CHAT_OUT, FAKE_USAGE, (f) => f.azure, {
    path: '/openai/deployments/gpt-4o-mini-eu/chat/completions',
    credential: (h) => assert.equal(h['api-key'], FLEET_ENV.E2E_AZURE_KEY),
  }),
  c('anthropic chat', 'anthropic-chat', 'chat', CHAT, CHAT_OUT, FAKE_USAGE, (f) => f.anthropic, {
    path: '/v1/messages',
  }),
  c(
    'anthropic streamed chat',
    'anthropic-chat',
    'chat',
    { ...CHAT, stream: true },
    CHAT_OUT,
    FAKE_USAGE,
    (f) => f.anthropic,
    {
      path: '/v1/messages',
    },
  ),
  c(
    'anthropic classify',
    'anthropic-chat',
    'classify',
    { text: 'I love it', labels: ['positive', 'negative'] },
    { label: 'positive', scores: { positive: 0.9 } },
    FAKE_USAGE,
    (f) => f.anthropic,
    {
      path: '/v1/messages',
    },
  ),
  c('gemini chat', 'gemini-chat', 'chat', CHAT, CHAT_OUT, FAKE_USAGE, (f) => f.gemini, {
    path: '/v1beta/models/gemini-2.5-flash:generateContent',
    credential: (h) => assert.equal(h['x-goog-api-key'], 'gemini-e2e-key'),
  }),
  c(
    'gemini embed',
    'gemini-embed',
    'embed',
    { input: TEXTS },
    EMBED_OUT,
    GEMINI_EMBED_USAGE,
    (f) => f.gemini,
    {
      path: '/v1beta/models/gemini-embedding-001:batchEmbedContents',
    },
  ),
  c('bedrock chat', 'bedrock-chat', 'chat', CHAT, CHAT_OUT, FAKE_USAGE, (f) => f.bedrock, {
    path: '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse',
    // The server verifies the SigV4 signature made with the credentials from the environment.
    credential: (h) =>
      assert.match(
        String(h.authorization),
        new RegExp(`Credential=${FLEET_ENV.E2E_AWS_ACCESS_KEY_ID}/`),
      ),
  }),
  c('vllm chat', 'vllm-chat', 'chat', CHAT, CHAT_OUT, FAKE_USAGE, (f) => f.vllm, {
    path: '/v1/chat/completions',
    credential: (h) => assert.equal(h.authorization, undefined),
  }),
  c(
    'vllm embed',
    'vllm-embed',
    'embed',
    { input: TEXTS },
    EMBED_OUT,
    { inputTokens: 21, outputTokens: 0 },
    (f) => f.vllm,
    {
      path: '/v1/embeddings',
    },
  ),
  c(
    'vision ocr',
    'vision-annotate',
    'image.ocr',
    { image: IMAGE },
    { text: 'HELLO GATEWAY\n2026' },
    NO_TOKENS,
    (f) => f.vision,
    {
      path: '/v1/images:annotate',
      images: 1,
      credential: (h) => assert.equal(h['x-goog-api-key'], 'vision-e2e-key'),
    },
  ),
  c(
    'vision classify',
    'vision-annotate',
    'image.classify',
    { image: IMAGE, labels: ['cat', 'dog'] },
    {
      labels: [
        { label: 'cat', score: 0.98 },
        { label: 'dog', score: 0.71 },
      ],
    },
    NO_TOKENS,
    (f) => f.vision,
    {
      path: '/v1/images:annotate',
      images: 1,
    },
  ),
];

function c(
  name: string,
  dep: string,
  task: string,
  input: unknown,
  output: unknown,
  usage: Case['usage'],
  server: Case['server'],
  more: { path: string; images?: number; credential?: Case['credential'] },
): Case {
  return { name, deployment: dep, task, input, output, usage, server, ...more };
}

async function submit(gw: Gateway, key: string, body: Record<string, unknown>) {
  const res = await call(`${gw.url}/v1/jobs`, { key, body });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body as { id: string };
}

async function finished(gw: Gateway, key: string, id: string) {
  const res = await call(`${gw.url}/v1/jobs/${id}?wait=30`, { key });
  assert.equal(res.status, 200);
  return res.body;
}

describe('vendor adapters end to end', () => {
  let fleet: Fleet;
  let gw: Gateway;
  let key: string;
  let kafka: KafkaCollector;

  before(async () => {
    fleet = await startFleet();
    gw = await startGateway({ config: fleet.config, env: { ...FLEET_ENV } });
    key = await gw.tenantKey('acme', undefined, true);
    kafka = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.results]).start();
  });
  after(async () => {
    await kafka?.stop();
    await gw?.stop();
    await fleet?.close();
  });

  const resultEvent = (id: string) =>
    kafka.events.find((e) => e.topic === gw.topics.results && e.value.id === id);

  it('runs a job on every vendor adapter with its usage and cost in the record and in Kafka', async () => {
    const ids = await Promise.all(
      CASES.map(async (k) => {
        const alias = deployment(k.deployment).alias;
        const body = { task: k.task, input: k.input, model: alias, correlationId: k.name };
        return (await submit(gw, key, body)).id;
      }),
    );
    const records = await Promise.all(ids.map((id) => finished(gw, key, id)));
    CASES.forEach((k, i) => {
      const r = records[i];
      const dep = deployment(k.deployment);
      assert.equal(r.status, 'succeeded', `${k.name}: ${JSON.stringify(r.error)}`);
      assert.equal(r.route.deployment, dep.id, k.name);
      assert.equal(r.route.provider, dep.provider, k.name);
      assert.deepEqual(r.output, k.output, k.name);
      assert.deepEqual(r.usage, k.usage, k.name);
      const cost = expectedCost(dep.price, k.usage, k.images ?? 0);
      assert.ok(cost > 0, `${k.name}: the test prices make a non-zero cost`);
      assert.equal(r.costUsd, cost, k.name);
      assert.equal(r.attempts, 1, k.name);
    });

    await kafka.waitFor('a result event per job', () => ids.every((id) => resultEvent(id)));
    CASES.forEach((k, i) => {
      const e = resultEvent(ids[i])!;
      assert.ok(ResultEventV1.safeParse(e.value).success, k.name);
      assert.equal(e.value.type, 'ai.job.succeeded.v1', k.name);
      assert.equal(e.key, k.name);
      const data = e.value.data as { usage: unknown; costUsd: number; output: unknown };
      assert.deepEqual(data.usage, k.usage, k.name);
      assert.equal(data.costUsd, records[i].costUsd, k.name);
      assert.deepEqual(data.output, k.output, k.name);
    });

    // Each vendor saw the request on its own path, with the credential from the config.
    for (const k of CASES) {
      const reqs = k.server(fleet).requests.filter((r) => r.path === k.path);
      assert.ok(reqs.length > 0, `${k.name}: the server received ${k.path}`);
      for (const r of reqs) k.credential?.(r.headers);
    }
    assert.deepEqual(fleet.azure.requests[0].query, { 'api-version': '2024-10-21' });
    assert.ok(
      fleet.anthropic.requests.some((r) => r.body?.stream === true),
      'streamed upstream',
    );
    // Three Anthropic calls from one worker: both keys of the provider were used in turn.
    const keysUsed = new Set(fleet.anthropic.requests.map((r) => r.headers['x-api-key']));
    assert.deepEqual([...keysUsed].sort(), [...ANTHROPIC_KEYS]);
  });

  it('fails a job on a vendor 400 with invalid_request, without a retry', async () => {
    const marker = '__status_400__';
    const body = {
      task: 'chat',
      model: deployment('openai-chat').alias,
      input: { messages: [{ role: 'user', content: `Break ${marker} please` }] },
    };
    const { id } = await submit(gw, key, body);
    const r = await finished(gw, key, id);
    assert.equal(r.status, 'failed');
    assert.equal(r.error.code, 'invalid_request');
    assert.equal(r.error.retryable, false);
    assert.equal(r.attempts, 1);
    await kafka.waitFor('the failure event', () => !!resultEvent(id));
    const e = resultEvent(id)!;
    assert.equal(e.value.type, 'ai.job.failed.v1');
    assert.equal((e.value.data as { error: { code: string } }).error.code, 'invalid_request');
    const sent = fleet.openai.requests.filter((q) => q.rawBody.includes(marker));
    assert.equal(sent.length, 1, 'the vendor was called once: a 400 is not retried');
  });

  it('waits out a 429 with its rate-limit reset and succeeds without burning an attempt', async () => {
    const flaky = fleet.openaiFlaky;
    flaky.scriptError(429); // x-ratelimit-reset-requests: 1.574s, then the fake model answers
    const first = flaky.nextRequest();
    const { id } = await submit(gw, key, {
      task: 'chat',
      model: deployment('flaky-chat').alias,
      input: CHAT,
    });
    await first;
    const t0 = Date.now();
    await flaky.nextRequest();
    const waited = Date.now() - t0;
    const r = await finished(gw, key, id);
    assert.equal(r.status, 'succeeded', JSON.stringify(r.error));
    assert.equal(r.attempts, 1, 'the 429 did not count as an attempt');
    assert.deepEqual(r.usage, FAKE_USAGE);
    assert.equal(r.costUsd, expectedCost(deployment('flaky-chat').price, FAKE_USAGE));
    assert.equal(flaky.requests.length, 2);
    assert.ok(waited >= 1000, `the queue paused for the vendor's reset (${waited} ms)`);
  });
});
