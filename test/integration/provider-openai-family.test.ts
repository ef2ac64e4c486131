/**
 * OpenAI, Azure OpenAI and OpenAI-compatible specifics beyond the conformance table: errors
 * inside streams, cut streams, tool calls, embedding encodings, Azure content filtering, and
 * the magic prompt values the e2e tests use.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ProviderConfig } from '@gateway/config';
import type { ProviderAdapter } from '../../libs/providers/src/provider-adapter';
import { ProviderError } from '../../libs/providers/src/provider-error';
import { openaiAdapterFactory } from '../../libs/providers/src/openai/openai.adapter';
import { azureOpenAiAdapterFactory } from '../../libs/providers/src/azure-openai/azure-openai.adapter';
import { openAiCompatibleAdapterFactory } from '../../libs/providers/src/openai-compatible/openai-compatible.adapter';
import { startOpenAiServer, type OpenAiServer } from '../support/vendor-servers/openai.server';
import { startAzureOpenAiServer } from '../support/vendor-servers/azure-openai.server';
import { startOpenAiCompatibleServer } from '../support/vendor-servers/openai-compatible.server';
import { sse } from '../support/vendor-servers/vendor-server';
import { chat, context, drain, rejectsWith } from './provider-test-helpers';

const ctx = (provider: string, model = 'gpt-4o-mini') =>
  context(provider, model, ['chat', 'summarize', 'embed']);

describe('openai adapter specifics', () => {
  let server: OpenAiServer;
  let adapter: ProviderAdapter;
  before(async () => {
    server = await startOpenAiServer();
    adapter = openaiAdapterFactory.create(
      ProviderConfig.parse({ id: 'oa', type: 'openai', baseUrl: server.baseUrl, apiKey: 'sk-x' }),
    );
  });
  after(async () => {
    await adapter.close();
    await server.close();
  });
  beforeEach(() => server.reset());

  it('sends stream_options.include_usage and max_completion_tokens', async () => {
    await drain(adapter.streamChat!({ ...chat('hi'), maxTokens: 50 }, ctx('oa')));
    assert.deepEqual(server.requests[0].body.stream_options, { include_usage: true });
    assert.equal(server.requests[0].body.max_completion_tokens, 50);
  });

  it('surfaces an error event inside a stream as a ProviderError', async () => {
    server.script({
      headers: { 'content-type': 'text/event-stream' },
      chunks: [
        sse({ choices: [{ index: 0, delta: { content: 'Par' }, finish_reason: null }] }),
        sse({ error: { message: 'The server had an error', type: 'server_error', code: null } }),
      ],
    });
    await assert.rejects(
      drain(adapter.streamChat!(chat('hi'), ctx('oa'))),
      rejectsWith('server_error'),
    );
  });

  it('fails a stream cut before it finished as a retryable network error', async () => {
    server.script({
      headers: { 'content-type': 'text/event-stream' },
      chunks: [sse({ choices: [{ index: 0, delta: { content: 'Par' }, finish_reason: null }] })],
      cut: true,
    });
    await assert.rejects(drain(adapter.streamChat!(chat('hi'), ctx('oa'))), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.ok(e.retryable, e.code);
      return true;
    });
  });

  it('normalises tool calls', async () => {
    server.script({
      json: {
        model: 'gpt-4o-mini',
        choices: [
          {
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: 'call_1',
                  type: 'function',
                  function: { name: 'weather', arguments: '{"city":"Paris"}' },
                },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
      },
    });
    const result = await adapter.call(
      'chat',
      { ...chat('weather?'), tools: [{ name: 'weather', parameters: { type: 'object' } }] },
      ctx('oa'),
    );
    assert.deepEqual(result.output, {
      message: {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }],
      },
      finishReason: 'tool_calls',
    });
    assert.deepEqual(server.requests[0].body.tools, [
      { type: 'function', function: { name: 'weather', parameters: { type: 'object' } } },
    ]);
  });

  it('asks for base64 embeddings and decodes them', async () => {
    const result = await adapter.call(
      'embed',
      { input: 'one', dimensions: 3 },
      ctx('oa', 'text-embedding-3-small'),
    );
    assert.equal(server.requests[0].body.encoding_format, 'base64');
    assert.equal(server.requests[0].body.dimensions, 3);
    assert.deepEqual(result.output.embeddings, [[1, 0.5, -0.25]]);
  });

  it('answers magic prompt values with the documented errors (for end-to-end tests)', async () => {
    await assert.rejects(
      adapter.call('chat', chat('__status_429_insufficient_quota__'), ctx('oa')),
      rejectsWith('quota_exhausted'),
    );
    await assert.rejects(
      adapter.call('chat', chat('__status_503__'), ctx('oa')),
      rejectsWith('overloaded'),
    );
  });
});

describe('azure-openai adapter specifics', () => {
  it('maps a content_filter finish to the chat output, and to content_filtered for other tasks', async () => {
    const server = await startAzureOpenAiServer();
    const adapter = azureOpenAiAdapterFactory.create(
      ProviderConfig.parse({
        id: 'az',
        type: 'azure-openai',
        baseUrl: server.baseUrl,
        apiKey: 'k',
      }),
    );
    try {
      const filtered = {
        json: {
          choices: [
            { finish_reason: 'content_filter', message: { role: 'assistant', content: null } },
          ],
          usage: { prompt_tokens: 4, completion_tokens: 0, total_tokens: 4 },
        },
      };
      server.script(filtered, filtered);
      const result = await adapter.call('chat', chat('hi'), ctx('az'));
      assert.equal(result.output.finishReason, 'content_filter');
      await assert.rejects(
        adapter.call('summarize', { text: 'some text' }, ctx('az')),
        rejectsWith('content_filtered'),
      );
      assert.equal(
        server.requests[0].query['api-version'],
        '2024-10-21',
        'the default api-version',
      );
    } finally {
      await adapter.close();
      await server.close();
    }
  });
});

describe('openai-compatible adapter specifics', () => {
  it('sends an optional key when configured, asks for float embeddings, and maps flat vLLM errors', async () => {
    const server = await startOpenAiCompatibleServer();
    const adapter = openAiCompatibleAdapterFactory.create(
      ProviderConfig.parse({
        id: 'v',
        type: 'openai-compatible',
        baseUrl: server.baseUrl,
        apiKey: 'tok',
      }),
    );
    try {
      const result = await adapter.call('embed', { input: ['a', 'b'] }, ctx('v', 'bge'));
      assert.equal(server.requests[0].headers.authorization, 'Bearer tok');
      assert.equal(server.requests[0].body.encoding_format, 'float');
      assert.equal(result.output.embeddings.length, 2);
      server.scriptError(400, 'flat');
      await assert.rejects(adapter.call('chat', chat('hi'), ctx('v')), (e: unknown) => {
        assert.ok(e instanceof ProviderError);
        assert.equal(e.code, 'invalid_request');
        assert.match(e.message, /temperature must be non-negative/);
        return true;
      });
      assert.equal(
        openAiCompatibleAdapterFactory.hasCredentials(ProviderConfig.parse({ id: 'x', type: 't' })),
        true,
      );
    } finally {
      await adapter.close();
      await server.close();
    }
  });
});
