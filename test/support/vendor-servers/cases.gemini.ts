import assert from 'node:assert/strict';
import { geminiAdapterFactory } from '../../../libs/providers/src/gemini/gemini.adapter';
import { PNG_BASE64, providerConfig, type VendorCase } from './conformance-cases';
import streamChunks from '../../../libs/providers/src/gemini/fixtures/stream-chunks.json';
import errors from '../../../libs/providers/src/gemini/fixtures/errors.json';
import { startGeminiServer } from './gemini.server';
import { sse } from './vendor-server';

export const geminiCase: VendorCase = {
  name: 'gemini',
  factory: geminiAdapterFactory,
  start: startGeminiServer,
  provider: (s, keys = ['gem-key-1']) =>
    providerConfig({
      id: 'gemini-test',
      type: 'gemini',
      baseUrl: s.baseUrl,
      apiKeys: keys,
      timeoutMs: 5000,
    }),
  model: 'gemini-2.5-flash',
  keyOf: (req) => req.headers['x-goog-api-key'] as string | undefined,
  assertChatRequest(req) {
    assert.equal(req.path, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.equal(req.headers['x-goog-api-key'], 'gem-key-1');
    assert.deepEqual(req.body.contents, [
      { role: 'user', parts: [{ text: 'What is the capital of France?' }] },
    ]);
  },
  errors: [
    { status: 400, code: 'invalid_request', retryable: false },
    { status: 400, variant: 'context_length', code: 'context_length', retryable: false },
    { status: 400, variant: 'api_key_invalid', code: 'auth', retryable: false },
    { status: 401, code: 'auth', retryable: false },
    { status: 403, code: 'permission', retryable: false },
    { status: 404, code: 'not_found', retryable: false },
    { status: 429, code: 'rate_limited', retryable: true, retryAfterMs: 1500 },
    { status: 500, code: 'server_error', retryable: true },
    { status: 503, code: 'overloaded', retryable: true },
    { status: 504, code: 'timeout', retryable: true },
  ],
  streaming: true,
  // The stream's first chunk, then the documented 429 body with its RetryInfo.
  midStreamError: {
    response: () => ({
      headers: { 'content-type': 'text/event-stream' },
      chunks: [sse(streamChunks[0]), sse(errors['429'])],
    }),
    code: 'rate_limited',
    retryable: true,
    retryAfterMs: 1500,
  },
  assertImageRequest(req) {
    const parts = req.body.contents.at(-1).parts;
    assert.deepEqual(parts[0], { inline_data: { mime_type: 'image/png', data: PNG_BASE64 } });
  },
};
