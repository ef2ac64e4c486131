import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobRequest } from '@gateway/contracts';
import { encode } from 'gpt-tokenizer';
import {
  DEFAULT_MAX_OUTPUT,
  IMAGE_TOKENS,
  MESSAGE_OVERHEAD_TOKENS,
  PROMPT_OVERHEAD_TOKENS,
  estimateTokens,
  requestTraits,
} from './tokens';

const job = (j: unknown): JobRequest => JobRequest.parse(j);
const image = { url: 'https://example.com/a.png' };

describe('estimateTokens', () => {
  it('counts chat text with the tokenizer plus a per-message allowance', () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    const r = estimateTokens(
      job({ task: 'chat', input: { messages: [{ role: 'user', content: text }], maxTokens: 77 } }),
    );
    assert.equal(r.inputTokens, encode(text).length + MESSAGE_OVERHEAD_TOKENS);
    assert.equal(r.maxOutputTokens, 77);
  });

  it('charges a fixed allowance per image', () => {
    const content = [
      { type: 'text', text: 'hi' },
      { type: 'image', image },
      { type: 'image', image },
    ];
    const r = estimateTokens(
      job({ task: 'chat', input: { messages: [{ role: 'user', content }] } }),
    );
    assert.equal(r.inputTokens, MESSAGE_OVERHEAD_TOKENS + encode('hi').length + 2 * IMAGE_TOKENS);
    assert.equal(r.maxOutputTokens, DEFAULT_MAX_OUTPUT.chat);
    const ocr = estimateTokens(job({ task: 'image.ocr', input: { image } }));
    assert.equal(ocr.inputTokens, PROMPT_OVERHEAD_TOKENS + IMAGE_TOKENS);
  });

  it('counts the tool calls of assistant turns in the history', () => {
    const args = '{"city":"Paris","units":"metric"}';
    const messages = [
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'c1', name: 'get_weather', arguments: args }],
      },
      { role: 'tool', toolCallId: 'c1', content: 'Sunny' },
    ];
    const r = estimateTokens(job({ task: 'chat', input: { messages } }));
    assert.equal(
      r.inputTokens,
      3 * MESSAGE_OVERHEAD_TOKENS +
        encode('Weather?').length +
        encode('get_weather').length +
        encode(args).length +
        encode('Sunny').length,
    );
  });

  it('treats special-token strings in user text as plain text', () => {
    const r = estimateTokens(job({ task: 'summarize', input: { text: 'a <|endoftext|> b' } }));
    assert.ok(r.inputTokens > PROMPT_OVERHEAD_TOKENS);
  });

  it('derives output caps per task', () => {
    const sum = estimateTokens(job({ task: 'summarize', input: { text: 'x', maxWords: 100 } }));
    assert.equal(sum.maxOutputTokens, 166);
    const cls = estimateTokens(job({ task: 'classify', input: { text: 'x', labels: ['a', 'b'] } }));
    assert.equal(cls.maxOutputTokens, 32);
    const emb = estimateTokens(job({ task: 'embed', input: { input: ['one', 'two three'] } }));
    assert.deepEqual(emb, {
      inputTokens: encode('one').length + encode('two three').length,
      maxOutputTokens: 0,
    });
    const ext = estimateTokens(
      job({ task: 'extract', input: { text: 'x', schema: { properties: { a: {}, b: {} } } } }),
    );
    assert.equal(ext.maxOutputTokens, 256 + 2 * 32);
  });
});

describe('requestTraits', () => {
  it('finds images, JSON output and tools in chat jobs', () => {
    const t = requestTraits(
      job({
        task: 'chat',
        input: {
          messages: [{ role: 'user', content: [{ type: 'image', image }] }],
          responseFormat: { type: 'json_object' },
          tools: [{ name: 'lookup' }],
        },
      }),
    );
    assert.deepEqual(t, { hasImages: true, imageCount: 1, needsJson: true, needsTools: true });
  });

  it('plain text jobs need nothing; image tasks carry an image', () => {
    const plain = requestTraits(
      job({ task: 'chat', input: { messages: [{ role: 'user', content: 'x' }] } }),
    );
    assert.deepEqual(plain, {
      hasImages: false,
      imageCount: 0,
      needsJson: false,
      needsTools: false,
    });
    assert.equal(requestTraits(job({ task: 'image.caption', input: { image } })).hasImages, true);
  });
});
