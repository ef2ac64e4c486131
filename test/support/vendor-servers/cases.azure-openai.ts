import assert from 'node:assert/strict';
import { azureOpenAiAdapterFactory } from '../../../libs/providers/src/azure-openai/azure-openai.adapter';
import { startAzureOpenAiServer } from './azure-openai.server';
import { PNG_BASE64, providerConfig, type VendorCase } from './conformance-cases';
import { openAiStreamError } from './openai.server';

export const azureOpenAiCase: VendorCase = {
  name: 'azure-openai',
  factory: azureOpenAiAdapterFactory,
  start: startAzureOpenAiServer,
  provider: (s, keys = ['azure-key-1']) =>
    providerConfig({
      id: 'azure-test',
      type: 'azure-openai',
      baseUrl: s.baseUrl,
      apiKeys: keys,
      apiVersion: '2024-10-21',
      timeoutMs: 5000,
    }),
  model: 'gpt-4o-mini-prod',
  keyOf: (req) => req.headers['api-key'] as string | undefined,
  assertChatRequest(req) {
    assert.equal(req.path, '/openai/deployments/gpt-4o-mini-prod/chat/completions');
    assert.deepEqual(req.query, { 'api-version': '2024-10-21' });
    assert.equal(req.headers['api-key'], 'azure-key-1');
    assert.equal(req.headers.authorization, undefined);
    assert.equal(req.body.model, undefined, 'the deployment is named in the URL');
    assert.deepEqual(req.body.messages, [
      { role: 'user', content: 'What is the capital of France?' },
    ]);
  },
  errors: [
    { status: 400, code: 'invalid_request', retryable: false },
    { status: 400, variant: 'context_length', code: 'context_length', retryable: false },
    { status: 400, variant: 'content_filter', code: 'content_filtered', retryable: false },
    { status: 401, code: 'auth', retryable: false },
    { status: 403, code: 'permission', retryable: false },
    { status: 404, code: 'not_found', retryable: false },
    { status: 429, code: 'rate_limited', retryable: true, retryAfterMs: 6000 },
    { status: 500, code: 'server_error', retryable: true },
    { status: 503, code: 'overloaded', retryable: true },
  ],
  streaming: true,
  midStreamError: {
    response: () =>
      openAiStreamError({
        code: 'server_error',
        message: 'The server had an error while processing your request.',
      }),
    code: 'server_error',
    retryable: true,
  },
  rateLimitOnSuccess: {
    limitRequests: 100,
    remainingRequests: 99,
    limitTokens: 100000,
    remainingTokens: 99970,
  },
  assertImageRequest(req) {
    const parts = req.body.messages.at(-1).content;
    assert.deepEqual(parts[0], {
      type: 'image_url',
      image_url: { url: `data:image/png;base64,${PNG_BASE64}` },
    });
  },
};
