/**
 * Anthropic test server: `POST /v1/messages` (JSON, and named SSE events ending in
 * `message_stop`), the key in `x-api-key`, forced tools answered with a `tool_use` block
 * matching the tool's schema, `anthropic-ratelimit-*` headers (RFC 3339 resets), and the
 * documented errors including 529 `overloaded_error`. Bodies come from the fixtures in
 * `libs/providers/src/anthropic/fixtures`.
 *
 *   const server = await startAnthropicServer();
 *   const provider = { id: 'anthropic', type: 'anthropic', baseUrl: server.baseUrl, apiKey: 'k' };
 *   server.scriptError(529);
 *   server.requests[0].headers['anthropic-version'];
 */
import messageFixture from '../../../libs/providers/src/anthropic/fixtures/message.json';
import toolFixture from '../../../libs/providers/src/anthropic/fixtures/message-tool-use.json';
import streamFixture from '../../../libs/providers/src/anthropic/fixtures/stream-events.json';
import errorFixtures from '../../../libs/providers/src/anthropic/fixtures/errors.json';
import { FAKE_REPLY, FAKE_USAGE, replyPieces, sampleFromSchema } from './fake-model';
import {
  sse,
  startVendorServer,
  type RecordedRequest,
  type ScriptedResponse,
  type VendorServer,
  type Json,
  errorFixture,
} from './vendor-server';
import { anthropicToolHistoryProblem, refuse } from './tool-history';

/** Success headers; resets are whole seconds one minute ahead. */
export function anthropicRateLimitHeaders(): Record<string, string> {
  const reset = new Date(Math.ceil(Date.now() / 1000) * 1000 + 60_000)
    .toISOString()
    .replace('.000Z', 'Z');
  return {
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '49',
    'anthropic-ratelimit-requests-reset': reset,
    'anthropic-ratelimit-tokens-limit': '80000',
    'anthropic-ratelimit-tokens-remaining': '79000',
    'anthropic-ratelimit-tokens-reset': reset,
    'request-id': 'req_test',
  };
}

function error(status: number, variant?: string): ScriptedResponse {
  const json = errorFixture<unknown>(errorFixtures, status, variant);
  const headers: Record<string, string> = { 'request-id': 'req_test' };
  // A spent monthly cap comes without retry-after: waiting does not lift it.
  if (status === 429 && variant !== 'spend_limit') {
    Object.assign(headers, anthropicRateLimitHeaders(), {
      'retry-after': '15',
      'anthropic-ratelimit-requests-remaining': '0',
    });
  }
  if (status === 529) headers['x-should-retry'] = 'true';
  return { status, headers, json };
}

function forcedTool(body: Json): { name: string; input: unknown } | undefined {
  if (body?.tool_choice?.type !== 'tool') return undefined;
  const tool = (body.tools ?? []).find((t: Json) => t.name === body.tool_choice.name);
  return tool ? { name: tool.name, input: sampleFromSchema(tool.input_schema) } : undefined;
}

function respond(req: RecordedRequest): ScriptedResponse {
  if (req.method !== 'POST' || req.path !== '/v1/messages') return error(404);
  if (!req.headers['anthropic-version']) return error(400);
  const problem = anthropicToolHistoryProblem(req.body?.messages);
  if (problem) return refuse(error(400), problem);
  const tool = forcedTool(req.body);
  const model = String(req.body?.model ?? 'claude');
  if (req.body?.stream) {
    const [start, blockStart, ping, delta, blockStop, messageDelta, stop] = structuredClone(
      streamFixture,
    ) as Json[];
    start.data.message.model = model;
    start.data.message.usage.input_tokens = FAKE_USAGE.inputTokens;
    messageDelta.data.usage.output_tokens = FAKE_USAGE.outputTokens;
    const pieces = replyPieces(tool ? JSON.stringify(tool.input) : FAKE_REPLY);
    if (tool) {
      blockStart.data.content_block = {
        type: 'tool_use',
        id: 'toolu_test',
        name: tool.name,
        input: {},
      };
      messageDelta.data.delta.stop_reason = 'tool_use';
    }
    const deltas = pieces.map((text) => ({
      ...delta,
      data: {
        ...delta.data,
        delta: tool
          ? { type: 'input_json_delta', partial_json: text }
          : { type: 'text_delta', text },
      },
    }));
    const events = [start, blockStart, ping, ...deltas, blockStop, messageDelta, stop];
    return {
      headers: { ...anthropicRateLimitHeaders(), 'content-type': 'text/event-stream' },
      chunks: events.map((e) => sse(e.data, e.event)),
    };
  }
  const answer = structuredClone(tool ? toolFixture : messageFixture) as Json;
  answer.model = model;
  if (tool) Object.assign(answer.content[0], { name: tool.name, input: tool.input });
  return { headers: anthropicRateLimitHeaders(), json: answer };
}

export type AnthropicServer = VendorServer & { readonly baseUrl: string };

export async function startAnthropicServer(): Promise<AnthropicServer> {
  const server = await startVendorServer({
    respond,
    error,
    keyOf: (req) => req.headers['x-api-key'] as string | undefined,
  });
  return Object.assign(server, { baseUrl: server.url });
}
