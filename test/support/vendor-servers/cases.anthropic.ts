import assert from 'node:assert/strict';
import { anthropicAdapterFactory } from '../../../libs/providers/src/anthropic/anthropic.adapter';
import { startAnthropicServer } from './anthropic.server';
import { PNG_BASE64, providerConfig, type VendorCase } from './conformance-cases';
import { sse } from './vendor-server';

export const anthropicCase: VendorCase = {
  name: 'anthropic',
  factory: anthropicAdapterFactory,
  start: startAnthropicServer,
  provider: (s, keys = ['ant-key-1']) =>
    providerConfig({
      id: 'anthropic-test',
      type: 'anthropic',
      baseUrl: s.baseUrl,
      apiKeys: keys,
      timeoutMs: 5000,
    }),
  model: 'claude-sonnet-4-5',
  keyOf: (req) => req.headers['x-api-key'] as string | undefined,
  assertChatRequest(req) {
    assert.equal(req.path, '/v1/messages');
    assert.equal(req.headers['x-api-key'], 'ant-key-1');
    assert.equal(req.headers['anthropic-version'], '2023-06-01');
    assert.equal(req.body.model, 'claude-sonnet-4-5');
    assert.equal(req.body.max_tokens, 256, "the deployment's maxOutputTokens");
    assert.deepEqual(req.body.messages, [
      { role: 'user', content: 'What is the capital of France?' },
    ]);
  },
  errors: [
    { status: 400, code: 'invalid_request', retryable: false },
    { status: 400, variant: 'context_length', code: 'context_length', retryable: false },
    { status: 401, code: 'auth', retryable: false },
    { status: 402, code: 'quota_exhausted', retryable: false },
    { status: 403, code: 'permission', retryable: false },
    { status: 404, code: 'not_found', retryable: false },
    { status: 413, code: 'invalid_request', retryable: false },
    { status: 429, code: 'rate_limited', retryable: true, retryAfterMs: 15_000 },
    { status: 429, variant: 'spend_limit', code: 'quota_exhausted', retryable: false },
    { status: 500, code: 'server_error', retryable: true },
    { status: 503, code: 'server_error', retryable: true },
    { status: 529, code: 'overloaded', retryable: true },
  ],
  streaming: true,
  midStreamError: {
    response: () => ({
      headers: { 'content-type': 'text/event-stream' },
      chunks: [
        sse(
          {
            type: 'message_start',
            message: { model: 'claude-sonnet-4-5', usage: { input_tokens: 21, output_tokens: 1 } },
          },
          'message_start',
        ),
        sse(
          { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
          'content_block_start',
        ),
        sse(
          { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Par' } },
          'content_block_delta',
        ),
        sse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error'),
      ],
    }),
    code: 'overloaded',
    retryable: true,
  },
  rateLimitOnSuccess: {
    limitRequests: 50,
    remainingRequests: 49,
    resetRequestsMs: 60_000,
    limitTokens: 80000,
    remainingTokens: 79000,
    resetTokensMs: 60_000,
  },
  assertImageRequest(req) {
    const parts = req.body.messages.at(-1).content;
    assert.deepEqual(parts[0], {
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 },
    });
  },
};
