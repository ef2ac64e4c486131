import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorResponse } from '../http/error-response.testing';
import { OpenAiChatChunk, OpenAiChatResponse } from '../openai/openai.schemas';
import chat from './fixtures/chat-completion.json';
import prelude from './fixtures/stream-prelude-chunk.json';
import errors from './fixtures/errors.json';
import { mapAzureOpenAiError } from './azure-openai.errors';

describe('azure-openai fixtures and mappings', () => {
  it('parses Azure answers (content-filter results, bare prelude chunk) with the OpenAI schemas', () => {
    assert.equal(OpenAiChatResponse.parse(chat).choices.length, 1);
    assert.deepEqual(OpenAiChatChunk.parse(prelude).choices, []);
  });

  it('maps content filtering, missing deployments and the 429 retry hint', () => {
    const map = (status: number, key: keyof typeof errors, headers?: Record<string, string>) =>
      mapAzureOpenAiError(errorResponse(status, errors[key], headers), 'p');
    assert.equal(map(400, '400_content_filter').code, 'content_filtered');
    assert.equal(map(400, '400_content_filter').retryable, false);
    assert.equal(map(404, '404').code, 'not_found');
    assert.equal(
      map(429, '429').retryAfterMs,
      6000,
      'from "Please retry after 6 seconds" when no header',
    );
  });
});
