import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorResponse } from '../http/error-response.testing';
import generate from './fixtures/generate-content.json';
import chunks from './fixtures/stream-chunks.json';
import embed from './fixtures/embed-content.json';
import batch from './fixtures/batch-embed-contents.json';
import errors from './fixtures/errors.json';
import { mapGeminiError, mapGeminiFinishReason, mapGoogleStatus } from './gemini.errors';
import { GeminiBatchEmbedResponse, GeminiEmbedResponse, GeminiResponse } from './gemini.schemas';

describe('gemini fixtures and mappings', () => {
  it('parses the documented response shapes', () => {
    assert.equal(GeminiResponse.parse(generate).usageMetadata?.promptTokenCount, 21);
    for (const c of chunks) GeminiResponse.parse(c);
    assert.equal(GeminiEmbedResponse.parse(embed).embedding.values.length, 4);
    assert.equal(GeminiBatchEmbedResponse.parse(batch).embeddings.length, 2);
  });

  it('reads RetryInfo.retryDelay, API_KEY_INVALID and streamed (array-wrapped) errors', () => {
    const limited = mapGeminiError(errorResponse(429, errors['429']), 'p');
    assert.equal(limited.code, 'rate_limited');
    assert.equal(limited.retryAfterMs, 1500);
    assert.equal(limited.rateLimit?.retryAfterMs, 1500);
    assert.equal(
      mapGeminiError(errorResponse(400, errors['400_api_key_invalid']), 'p').code,
      'auth',
    );
    assert.equal(mapGeminiError(errorResponse(503, [errors['503']]), 'p').code, 'overloaded');
    assert.equal(mapGeminiError(errorResponse(502, 'Bad gateway'), 'p').code, 'server_error');
  });

  it('maps google.rpc codes of per-item errors', () => {
    assert.equal(
      mapGoogleStatus({ code: 3, message: 'Bad image data.' }, undefined, 'p').code,
      'invalid_request',
    );
    assert.equal(
      mapGoogleStatus({ code: 8, message: 'Quota' }, undefined, 'p').code,
      'rate_limited',
    );
  });

  it('normalises finish reasons', () => {
    assert.equal(mapGeminiFinishReason('STOP', false), 'stop');
    assert.equal(mapGeminiFinishReason('STOP', true), 'tool_calls');
    assert.equal(mapGeminiFinishReason('MAX_TOKENS', false), 'length');
    assert.equal(mapGeminiFinishReason('PROHIBITED_CONTENT', false), 'content_filter');
    assert.equal(mapGeminiFinishReason('MALFORMED_FUNCTION_CALL', false), 'error');
  });
});
