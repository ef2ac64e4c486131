import assert from 'node:assert/strict';
import { googleVisionAdapterFactory } from '../../../libs/providers/src/google-vision/google-vision.adapter';
import { PNG_BASE64, providerConfig, type VendorCase } from './conformance-cases';
import { startGoogleVisionServer } from './google-vision.server';

export const googleVisionCase: VendorCase = {
  name: 'google-vision',
  factory: googleVisionAdapterFactory,
  start: startGoogleVisionServer,
  provider: (s, keys = ['vision-key-1']) =>
    providerConfig({
      id: 'vision-test',
      type: 'google-vision',
      baseUrl: s.baseUrl,
      apiKeys: keys,
      timeoutMs: 5000,
    }),
  model: 'builtin/stable',
  keyOf: (req) => req.headers['x-goog-api-key'] as string | undefined,
  probe: { task: 'image.ocr', input: { image: { base64: PNG_BASE64, mediaType: 'image/png' } } },
  assertChatRequest(req) {
    assert.equal(req.path, '/v1/images:annotate');
    assert.equal(req.headers['x-goog-api-key'], 'vision-key-1');
    assert.deepEqual(req.body, {
      requests: [{ image: { content: PNG_BASE64 }, features: [{ type: 'TEXT_DETECTION' }] }],
    });
  },
  errors: [
    { status: 400, code: 'invalid_request', retryable: false },
    { status: 400, variant: 'api_key_invalid', code: 'auth', retryable: false },
    { status: 401, code: 'auth', retryable: false },
    { status: 403, code: 'permission', retryable: false },
    { status: 404, code: 'not_found', retryable: false },
    { status: 429, code: 'rate_limited', retryable: true },
    { status: 500, code: 'server_error', retryable: true },
    { status: 503, code: 'overloaded', retryable: true },
  ],
  streaming: false,
  expected: {
    'image.classify': {
      labels: [
        { label: 'cat', score: 0.98 },
        { label: 'dog', score: 0.71 },
      ],
    },
    'image.ocr': { text: 'HELLO GATEWAY\n2026' },
  },
  assertImageRequest(req) {
    assert.deepEqual(req.body.requests[0].image, { content: PNG_BASE64 });
  },
};
