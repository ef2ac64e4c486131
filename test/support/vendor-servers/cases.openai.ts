import assert from 'node:assert/strict';
import { openaiAdapterFactory } from '../../../libs/providers/src/openai/openai.adapter';
import { PNG_BASE64, providerConfig, type VendorCase } from './conformance-cases';
import { OPENAI_SHAPE, openAiStreamError, startOpenAiServer } from './openai.server';

export const openAiCase: VendorCase = {
  name: 'openai',
  factory: openaiAdapterFactory,
  start: startOpenAiServer,
  provider: (s, keys = ['sk-test-1']) =>
    providerConfig({
      id: 'openai-test',
      type: 'openai',
      baseUrl: s.baseUrl,
      apiKeys: keys,
      timeoutMs: 5000,
    }),
  model: 'gpt-4o-mini',
  keyOf: OPENAI_SHAPE.keyOf,
  assertChatRequest(req) {
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/v1/chat/completions');
    assert.match(String(req.headers.authorization), /^Bearer sk-test-1$/);
    assert.equal(req.body.model, 'gpt-4o-mini');
    assert.deepEqual(req.body.messages.at(-1), {
      role: 'user',
      content: 'What is the capital of France?',
    });
  },
  errors: [
    { status: 400, code: 'invalid_request', retryable: false },
    { status: 400, variant: 'context_length', code: 'context_length', retryable: false },
    { status: 401, code: 'auth', retryable: false },
    { status: 403, code: 'permission', retryable: false },
    { status: 404, code: 'not_found', retryable: false },
    { status: 429, code: 'rate_limited', retryable: true, retryAfterMs: 1574 },
    { status: 429, variant: 'insufficient_quota', code: 'quota_exhausted', retryable: false },
    { status: 429, variant: 'project_spend_limit', code: 'quota_exhausted', retryable: false },
    { status: 500, code: 'server_error', retryable: true },
    { status: 503, code: 'overloaded', retryable: true },
  ],
  streaming: true,
  midStreamError: {
    response: () =>
      openAiStreamError({
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      }),
    code: 'server_error',
    retryable: true,
  },
  rateLimitOnSuccess: {
    limitRequests: 60,
    remainingRequests: 59,
    resetRequestsMs: 1000,
    limitTokens: 150000,
    remainingTokens: 149984,
    resetTokensMs: 360_000,
  },
  assertImageRequest(req) {
    const parts = req.body.messages.at(-1).content;
    assert.deepEqual(parts[0], {
      type: 'image_url',
      image_url: { url: `data:image/png;base64,${PNG_BASE64}` },
    });
  },
};
