import assert from 'node:assert/strict';
import { bedrockAdapterFactory } from '../../../libs/providers/src/bedrock/bedrock.adapter';
import {
  BEDROCK_TEST_CREDENTIALS,
  BEDROCK_TEST_REGION,
  bedrockStreamException,
  startBedrockServer,
} from './bedrock.server';
import { PNG_BASE64, providerConfig, type VendorCase } from './conformance-cases';

export const bedrockCase: VendorCase = {
  name: 'bedrock',
  factory: bedrockAdapterFactory,
  start: startBedrockServer,
  // SigV4 by default; with keys, Bedrock API keys as bearer tokens.
  provider: (s, keys) =>
    providerConfig({
      id: 'bedrock-test',
      type: 'bedrock',
      baseUrl: s.baseUrl,
      region: BEDROCK_TEST_REGION,
      ...(keys ? { apiKeys: keys } : BEDROCK_TEST_CREDENTIALS),
      timeoutMs: 5000,
    }),
  model: 'anthropic.claude-3-haiku-20240307-v1:0',
  keyOf: (req) => /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1],
  assertChatRequest(req) {
    assert.equal(req.path, '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    const auth = String(req.headers.authorization);
    assert.match(
      auth,
      /^AWS4-HMAC-SHA256 Credential=AKIDTESTBEDROCK\/\d{8}\/us-east-1\/bedrock\/aws4_request, /,
    );
    assert.match(auth, /SignedHeaders=[^,]*host/);
    assert.match(String(req.headers['x-amz-date']), /^\d{8}T\d{6}Z$/);
    assert.deepEqual(req.body.messages, [
      { role: 'user', content: [{ text: 'What is the capital of France?' }] },
    ]);
    assert.deepEqual(req.body.inferenceConfig, { maxTokens: 256 });
  },
  errors: [
    { status: 400, code: 'invalid_request', retryable: false },
    { status: 400, variant: 'context_length', code: 'context_length', retryable: false },
    { status: 403, code: 'permission', retryable: false },
    { status: 403, variant: 'unrecognized', code: 'auth', retryable: false },
    { status: 403, variant: 'signature', code: 'auth', retryable: false },
    { status: 404, code: 'not_found', retryable: false },
    { status: 408, code: 'timeout', retryable: true },
    { status: 424, code: 'server_error', retryable: true },
    { status: 429, code: 'rate_limited', retryable: true },
    { status: 429, variant: 'not_ready', code: 'overloaded', retryable: true },
    { status: 500, code: 'server_error', retryable: true },
    { status: 503, code: 'overloaded', retryable: true },
  ],
  streaming: true,
  midStreamError: {
    response: () => bedrockStreamException('throttlingException', 'Too many tokens, please wait.'),
    code: 'rate_limited',
    retryable: true,
  },
  assertImageRequest(req) {
    const blocks = req.body.messages.at(-1).content;
    assert.deepEqual(blocks[0], { image: { format: 'png', source: { bytes: PNG_BASE64 } } });
  },
};
