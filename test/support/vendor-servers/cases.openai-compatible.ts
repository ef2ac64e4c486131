import assert from 'node:assert/strict';
import { openAiCompatibleAdapterFactory } from '../../../libs/providers/src/openai-compatible/openai-compatible.adapter';
import { providerConfig, type VendorCase } from './conformance-cases';
import { OPENAI_SHAPE } from './openai.server';
import { startOpenAiCompatibleServer } from './openai-compatible.server';

export const openAiCompatibleCase: VendorCase = {
  name: 'openai-compatible',
  factory: openAiCompatibleAdapterFactory,
  start: startOpenAiCompatibleServer,
  provider: (s, keys) =>
    providerConfig({
      id: 'vllm-test',
      type: 'openai-compatible',
      baseUrl: s.baseUrl,
      ...(keys ? { apiKeys: keys } : {}),
      timeoutMs: 5000,
    }),
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  keyOf: OPENAI_SHAPE.keyOf,
  assertChatRequest(req) {
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.headers.authorization, undefined, 'no key configured, none sent');
    assert.equal(req.body.model, 'meta-llama/Llama-3.1-8B-Instruct');
  },
  errors: [
    { status: 400, code: 'invalid_request', retryable: false },
    { status: 400, variant: 'context_length', code: 'context_length', retryable: false },
    { status: 400, variant: 'flat', code: 'invalid_request', retryable: false },
    { status: 401, code: 'auth', retryable: false },
    { status: 403, code: 'permission', retryable: false },
    { status: 404, code: 'not_found', retryable: false },
    { status: 429, code: 'rate_limited', retryable: true, retryAfterMs: 2000 },
    { status: 500, code: 'server_error', retryable: true },
    { status: 503, code: 'overloaded', retryable: true },
  ],
  streaming: true,
};
