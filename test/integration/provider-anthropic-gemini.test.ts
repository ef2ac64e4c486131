/** Anthropic and Gemini specifics beyond the conformance table. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ProviderConfig } from '@gateway/config';
import type { ProviderAdapter } from '../../libs/providers/src/provider-adapter';
import { anthropicAdapterFactory } from '../../libs/providers/src/anthropic/anthropic.adapter';
import { geminiAdapterFactory } from '../../libs/providers/src/gemini/gemini.adapter';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../support/vendor-servers/anthropic.server';
import { startGeminiServer, type GeminiServer } from '../support/vendor-servers/gemini.server';
import { FAKE_REPLY } from '../support/vendor-servers/fake-model';
import { sse } from '../support/vendor-servers/vendor-server';
import { chat, context, drain, rejectsWith } from './provider-test-helpers';

describe('anthropic adapter specifics', () => {
  let server: AnthropicServer;
  let adapter: ProviderAdapter;
  const ctx = () => context('ant', 'claude-sonnet-4-5', ['chat', 'classify']);
  before(async () => {
    server = await startAnthropicServer();
    adapter = anthropicAdapterFactory.create(
      ProviderConfig.parse({ id: 'ant', type: 'anthropic', baseUrl: server.baseUrl, apiKey: 'k' }),
    );
  });
  after(async () => {
    await adapter.close();
    await server.close();
  });
  beforeEach(() => server.reset());

  it('classifies through a forced tool whose input schema lists the labels', async () => {
    const result = await adapter.call(
      'classify',
      { text: 'great', labels: ['good', 'bad'] },
      ctx(),
    );
    assert.equal(result.output.label, 'good');
    const body = server.requests[0].body;
    assert.deepEqual(body.tool_choice, { type: 'tool', name: 'classification' });
    assert.deepEqual(body.tools[0].input_schema.properties.label.enum, ['good', 'bad']);
  });

  it('moves system messages to `system`, sends URL images as url sources, and caps temperature at 1', async () => {
    await adapter.call(
      'chat',
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          {
            role: 'user',
            content: [{ type: 'image', image: { url: 'https://example.com/cat.png' } }],
          },
        ],
        temperature: 1.5,
      },
      ctx(),
    );
    const body = server.requests[0].body;
    assert.equal(body.system, 'Be brief.');
    assert.equal(body.temperature, 1);
    assert.deepEqual(body.messages[0].content[0], {
      type: 'image',
      source: { type: 'url', url: 'https://example.com/cat.png' },
    });
  });

  it('surfaces an error event mid-stream (overloaded_error) as a retryable overloaded error', async () => {
    server.script({
      headers: { 'content-type': 'text/event-stream' },
      chunks: [
        sse(
          {
            type: 'message_start',
            message: { model: 'c', usage: { input_tokens: 3, output_tokens: 1 } },
          },
          'message_start',
        ),
        sse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error'),
      ],
    });
    await assert.rejects(
      drain(adapter.streamChat!(chat('hi'), ctx())),
      rejectsWith('overloaded', true),
    );
  });

  it('streams a forced-tool JSON answer as deltas', async () => {
    const events = (await drain(
      adapter.streamChat!(
        {
          ...chat('hi'),
          responseFormat: {
            type: 'json_schema',
            name: 'answer',
            schema: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
        ctx(),
      ),
    )) as { type: string; text?: string; finishReason?: string }[];
    const text = events
      .filter((e) => e.type === 'delta')
      .map((e) => e.text)
      .join('');
    assert.deepEqual(JSON.parse(text), { city: 'sample' });
    assert.equal(events.at(-1)!.finishReason, 'stop');
  });
});

describe('gemini adapter specifics', () => {
  let server: GeminiServer;
  let adapter: ProviderAdapter;
  const ctx = () => context('gem', 'gemini-2.5-flash', ['chat', 'embed', 'extract']);
  before(async () => {
    server = await startGeminiServer();
    adapter = geminiAdapterFactory.create(
      ProviderConfig.parse({ id: 'gem', type: 'gemini', baseUrl: server.baseUrl, apiKey: 'k' }),
    );
  });
  after(async () => {
    await adapter.close();
    await server.close();
  });
  beforeEach(() => server.reset());

  it('uses embedContent for one text and batchEmbedContents for several', async () => {
    const one = await adapter.call('embed', { input: 'hello' }, ctx());
    const many = await adapter.call('embed', { input: ['a', 'b', 'c'] }, ctx());
    assert.equal(one.output.embeddings.length, 1);
    assert.equal(many.output.embeddings.length, 3);
    assert.deepEqual(
      server.requests.map((r) => r.path),
      [
        '/v1beta/models/gemini-2.5-flash:embedContent',
        '/v1beta/models/gemini-2.5-flash:batchEmbedContents',
      ],
    );
    assert.deepEqual(server.requests[0].body.content, { parts: [{ text: 'hello' }] });
    assert.ok(one.usage.inputTokens > 0, 'estimated, Gemini reports none for embeddings');
  });

  it('asks for JSON with responseJsonSchema for extract', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    const result = await adapter.call('extract', { text: 'I live in Paris', schema }, ctx());
    assert.deepEqual(result.output, { data: { city: 'sample' } });
    const config = server.requests[0].body.generationConfig;
    assert.equal(config.responseMimeType, 'application/json');
    assert.deepEqual(config.responseJsonSchema, schema);
  });

  it('maps a blocked prompt to content_filtered', async () => {
    server.script({
      json: { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 4 } },
    });
    await assert.rejects(
      adapter.call('chat', chat('hi'), ctx()),
      rejectsWith('content_filtered', false),
    );
  });

  it('maps a SAFETY finish to content_filter, and sends the stream to ?alt=sse', async () => {
    server.script({
      json: {
        candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'SAFETY' }],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 0 },
      },
    });
    assert.equal(
      (await adapter.call('chat', chat('hi'), ctx())).output.finishReason,
      'content_filter',
    );
    const events = (await drain(adapter.streamChat!(chat('hi'), ctx()))) as {
      type: string;
      text?: string;
    }[];
    assert.equal(
      events
        .filter((e) => e.type === 'delta')
        .map((e) => e.text)
        .join(''),
      FAKE_REPLY,
    );
    assert.deepEqual(server.requests[1].query, { alt: 'sse' });
    assert.equal(server.requests[1].path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent');
  });

  it('refuses image URLs it cannot fetch, without calling the vendor', async () => {
    await assert.rejects(
      adapter.call(
        'chat',
        {
          messages: [
            { role: 'user', content: [{ type: 'image', image: { url: 'https://x.test/a.png' } }] },
          ],
        },
        ctx(),
      ),
      rejectsWith('invalid_request', false),
    );
    assert.equal(server.requests.length, 0);
  });
});
