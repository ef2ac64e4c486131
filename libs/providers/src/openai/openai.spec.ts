import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorResponse } from '../http/error-response.testing';
import chat from './fixtures/chat-completion.json';
import chunks from './fixtures/chat-completion-chunks.json';
import embeddingsFloat from './fixtures/embeddings-float.json';
import embeddingsBase64 from './fixtures/embeddings-base64.json';
import errors from './fixtures/errors.json';
import { mapOpenAiError, mapOpenAiFinishReason, retryHintInMessage } from './openai.errors';
import { decodeBase64Embedding } from './openai.request';
import { OpenAiChatChunk, OpenAiChatResponse, OpenAiEmbeddingResponse } from './openai.schemas';

describe('openai fixtures and mappings', () => {
  it('parses every documented response shape with the partial schemas', () => {
    assert.equal(
      OpenAiChatResponse.parse(chat).choices[0].message.content,
      'Paris is the capital of France.',
    );
    for (const c of chunks) OpenAiChatChunk.parse(c);
    assert.deepEqual(
      OpenAiEmbeddingResponse.parse(embeddingsFloat).data[0].embedding,
      [1, 0.5, -0.25, 0.125],
    );
    const b64 = OpenAiEmbeddingResponse.parse(embeddingsBase64).data[0].embedding;
    assert.deepEqual(decodeBase64Embedding(b64 as string), [1, 0.5, -0.25, 0.125]);
  });

  it('maps the documented error bodies', () => {
    const code = (status: number, key: string) =>
      mapOpenAiError(errorResponse(status, (errors as Record<string, unknown>)[key]), 'p').code;
    assert.equal(code(400, '400'), 'invalid_request');
    assert.equal(code(400, '400_context_length'), 'context_length');
    assert.equal(code(401, '401'), 'auth');
    assert.equal(code(429, '429'), 'rate_limited');
    assert.equal(code(429, '429_insufficient_quota'), 'quota_exhausted');
    assert.equal(code(503, '503'), 'overloaded');
  });

  it('honours x-should-retry and reads wait hints in messages', () => {
    const e = mapOpenAiError(errorResponse(500, errors['500'], { 'x-should-retry': 'false' }), 'p');
    assert.equal(e.retryable, false);
    assert.equal(retryHintInMessage('Please try again in 1.574s. Visit'), 1574);
    assert.equal(retryHintInMessage('Please try again in 20ms.'), 20);
    assert.equal(retryHintInMessage('Please retry after 86400 seconds.'), 86_400_000);
  });

  it('normalises finish reasons', () => {
    assert.deepEqual(
      ['stop', 'length', 'tool_calls', 'function_call', 'content_filter', null, 'weird'].map(
        mapOpenAiFinishReason,
      ),
      ['stop', 'length', 'tool_calls', 'tool_calls', 'content_filter', 'stop', 'error'],
    );
  });
});
