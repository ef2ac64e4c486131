/**
 * OpenAI test server: `/v1/chat/completions` (JSON and SSE with `include_usage`) and
 * `/v1/embeddings` (float and base64), answers and error bodies built from the fixtures in
 * `libs/providers/src/openai/fixtures`, `x-ratelimit-*` headers on every answer.
 *
 *   const server = await startOpenAiServer();
 *   const provider = { id: 'openai', type: 'openai', baseUrl: server.baseUrl, apiKey: 'sk-test' };
 *   server.scriptError(429);                    // next request: OpenAI's documented 429
 *   server.scriptError(429, 'insufficient_quota');
 *   server.rejectKey('sk-bad');                 // requests with this key get 401
 *   server.requests[0].body.model;              // what the adapter sent
 *   await server.close();
 *
 * `shapeOpenAiServer` is the OpenAI wire format with the knobs Azure OpenAI and
 * OpenAI-compatible servers change; their servers build on it.
 */
import chatFixture from '../../../libs/providers/src/openai/fixtures/chat-completion.json';
import chunkFixture from '../../../libs/providers/src/openai/fixtures/chat-completion-chunks.json';
import errorFixtures from '../../../libs/providers/src/openai/fixtures/errors.json';
import { FAKE_REPLY, FAKE_USAGE, fakeEmbedding, replyPieces, sampleFromSchema } from './fake-model';
import {
  errorFixture,
  sse,
  startVendorServer,
  type RecordedRequest,
  type ScriptedResponse,
  type VendorBehaviour,
  type VendorServer,
  type Json,
} from './vendor-server';
import { openAiToolHistoryProblem, refuse } from './tool-history';

export interface OpenAiShape {
  readonly isChat: (path: string) => boolean;
  readonly isEmbeddings: (path: string) => boolean;
  readonly keyOf: (req: RecordedRequest) => string | undefined;
  readonly errors: Readonly<Record<string, unknown>>;
  readonly successHeaders: Readonly<Record<string, string>>;
  readonly errorHeaders: (status: number, variant?: string) => Record<string, string>;
  /** Extra fields on each choice and on the answer (Azure's content-filter results). */
  readonly decorate?: (answer: Json) => void;
  /** Chunks sent before the first delta (Azure's prompt-filter chunk). */
  readonly streamPrelude?: readonly unknown[];
  readonly model: (req: RecordedRequest) => string;
}

export const OPENAI_RATE_LIMIT_HEADERS = {
  'x-ratelimit-limit-requests': '60',
  'x-ratelimit-limit-tokens': '150000',
  'x-ratelimit-remaining-requests': '59',
  'x-ratelimit-remaining-tokens': '149984',
  'x-ratelimit-reset-requests': '1s',
  'x-ratelimit-reset-tokens': '6m0s',
} as const;

function chatContent(body: Json): string {
  const rf = body?.response_format;
  if (rf?.type === 'json_schema') return JSON.stringify(sampleFromSchema(rf.json_schema?.schema));
  if (rf?.type === 'json_object') return JSON.stringify({ answer: FAKE_REPLY });
  return FAKE_REPLY;
}

export function openAiShapedBehaviour(shape: OpenAiShape): VendorBehaviour {
  const error = (status: number, variant?: string, req?: RecordedRequest): ScriptedResponse => {
    const body = errorFixture(shape.errors, status, variant);
    const text = JSON.stringify(body);
    const withKey = text.replaceAll('{key}', (req && shape.keyOf(req)) ?? 'sk-unknown');
    return { status, headers: shape.errorHeaders(status, variant), json: JSON.parse(withKey) };
  };
  return {
    keyOf: shape.keyOf,
    error,
    respond(req) {
      if (req.method !== 'POST') return error(404);
      if (shape.isEmbeddings(req.path)) {
        const inputs: string[] = Array.isArray(req.body?.input)
          ? req.body.input
          : [req.body?.input];
        const base64 = req.body?.encoding_format === 'base64';
        const data = inputs.map((_, index) => {
          const v = fakeEmbedding(index, req.body?.dimensions);
          const packed = Buffer.alloc(v.length * 4);
          v.forEach((x, i) => packed.writeFloatLE(x, i * 4));
          return { object: 'embedding', index, embedding: base64 ? packed.toString('base64') : v };
        });
        return {
          headers: shape.successHeaders,
          json: {
            object: 'list',
            data,
            model: shape.model(req),
            usage: { prompt_tokens: FAKE_USAGE.inputTokens, total_tokens: FAKE_USAGE.inputTokens },
          },
        };
      }
      if (!shape.isChat(req.path)) return error(404);
      const problem = openAiToolHistoryProblem(req.body?.messages);
      if (problem) return refuse(error(400, undefined, req), problem);
      const content = chatContent(req.body);
      if (req.body?.stream) {
        const [first, piece, last, usage] = structuredClone(chunkFixture) as Json[];
        const model = shape.model(req);
        const chunks = [
          ...(shape.streamPrelude ?? []),
          { ...first, model },
          ...replyPieces(content).map((text) => ({
            ...piece,
            model,
            choices: [{ ...piece.choices[0], delta: { content: text } }],
          })),
          { ...last, model },
          ...(req.body?.stream_options?.include_usage ? [{ ...usage, model }] : []),
        ];
        return {
          headers: { ...shape.successHeaders, 'content-type': 'text/event-stream' },
          chunks: [...chunks.map((c) => sse(c)), sse('[DONE]')],
        };
      }
      const answer = structuredClone(chatFixture) as Json;
      answer.model = shape.model(req);
      answer.choices[0].message.content = content;
      shape.decorate?.(answer);
      return { headers: shape.successHeaders, json: answer };
    },
  };
}

export const OPENAI_SHAPE: OpenAiShape = {
  isChat: (p) => p === '/v1/chat/completions',
  isEmbeddings: (p) => p === '/v1/embeddings',
  keyOf: (req) => /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1],
  errors: errorFixtures,
  successHeaders: { ...OPENAI_RATE_LIMIT_HEADERS, 'x-request-id': 'req_test' },
  errorHeaders: (status, variant) =>
    status === 429 && !variant
      ? {
          ...OPENAI_RATE_LIMIT_HEADERS,
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': '1.574s',
          'x-request-id': 'req_test',
        }
      : { 'x-request-id': 'req_test' },
  model: (req) => `${req.body?.model ?? 'model'}-2024-07-18`,
};

/** An OpenAI-shaped stream: one delta, then an `error` chunk with this body (no `[DONE]`). */
export function openAiStreamError(error: Record<string, unknown>): ScriptedResponse {
  return {
    headers: { 'content-type': 'text/event-stream' },
    chunks: [
      sse({ choices: [{ index: 0, delta: { content: 'Par' }, finish_reason: null }] }),
      sse({ error }),
    ],
  };
}

export type OpenAiServer = VendorServer & { readonly baseUrl: string };

/** Starts an OpenAI test server; `baseUrl` (with `/v1`) goes in the provider config. */
export async function startOpenAiServer(): Promise<OpenAiServer> {
  const server = await startVendorServer(openAiShapedBehaviour(OPENAI_SHAPE));
  return Object.assign(server, { baseUrl: `${server.url}/v1` });
}
