/**
 * The jobs the vendor end-to-end test sends: one or more per adapter, each with the output
 * and usage the vendor test server's fake model makes the adapter produce, and the request
 * (path, credential) the vendor must have received.
 */
import assert from 'node:assert/strict';
import { FLEET_ENV, type Fleet, type FleetServer } from './vendor-fleet';
import { PNG_BASE64 } from './vendor-servers/conformance-cases';
import { FAKE_REPLY, FAKE_USAGE, fakeEmbedding } from './vendor-servers/fake-model';

const QUESTION = 'What is the capital of France?';
export const CHAT = { messages: [{ role: 'user', content: QUESTION }] };
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

export interface Case {
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

export const CASES: readonly Case[] = [
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
