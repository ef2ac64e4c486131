import assert from 'node:assert/strict';
import { openAiCompatibleAdapterFactory } from '../../../libs/providers/src/openai-compatible/openai-compatible.adapter';
import { providerConfig, type VendorCase } from './conformance-cases';
import { OPENAI_SHAPE, openAiStreamError } from './openai.server';
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
  // vLLM reports a failure inside a stream with its error body and integer `code`.
  midStreamError: {
    response: () =>
      openAiStreamError({
        message:
          "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens (8000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
        type: 'BadRequestError',
        param: null,
        code: 400,
      }),
    code: 'context_length',
    retryable: false,
  },
};
