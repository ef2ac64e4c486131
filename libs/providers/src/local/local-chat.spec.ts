import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskInput } from '@gateway/contracts';
import fc from 'fast-check';
import { ProviderError } from '../provider-error';
import { evaluate } from './local-arith';
import { chat } from './local-chat';
import { solidPng } from './local-test-support';
import { countTokens } from './local-usage';

async function reply(content: string, extra: Partial<TaskInput<'chat'>> = {}): Promise<string> {
  const { output } = await chat({ messages: [{ role: 'user', content }], ...extra });
  return output.message.content;
}

describe('chat rules', () => {
  it('answers a greeting, by name when given', async () => {
    assert.match(await reply('Hello!'), /^Hello! I am the local model/);
    assert.match(await reply('Hi, I am Alice'), /^Hi, Alice!/);
  });

  it('does arithmetic, in symbols or words, and leaves dates alone', async () => {
    assert.equal(await reply('What is 12 * (3 + 4) - 2^3?'), '12 * (3 + 4) - 2^3 = 76');
    assert.match(await reply('what is 7 times 6'), /= 42$/);
    assert.doesNotMatch(await reply('The launch is on 2026-03-05.'), /=/);
  });

  it('counts words, letters and characters of the quoted text', async () => {
    assert.match(
      await reply('How many words are in "the quick brown fox jumps"?'),
      /There are 5 words/,
    );
    assert.match(await reply("How many r's are in strawberry?"), /"r" 3 times/);
    assert.match(await reply('How many characters in "abc"?'), /There are 3 characters/);
  });

  it('answers a question from the conversation, and says so when it cannot', async () => {
    const { output } = await chat({
      messages: [
        { role: 'system', content: 'Alice lives in Paris. Bob works at a bakery in Lyon.' },
        { role: 'user', content: 'Where does Bob work?' },
      ],
    });
    assert.equal(output.message.content, 'From what you wrote: Bob works at a bakery in Lyon.');
    assert.match(await reply('Where is the nearest volcano?'), /can only answer from the text/);
  });

  it('summarises on request', async () => {
    const text =
      'Solar panels turn sunlight into electricity. Solar power is cheap now. My cat is asleep.';
    const answer = await reply(`Summarize: ${text}`);
    assert.match(answer, /Solar panels turn sunlight/);
    assert.doesNotMatch(answer, /cat/);
  });

  it('echoes other statements with their word count', async () => {
    assert.match(
      await reply('The sales meeting moved to Friday.'),
      /^You said: "The sales meeting moved to Friday\." \(6 words; key terms: sales, meeting, moved, friday\)\.$/,
    );
  });
});

describe('chat formats and limits', () => {
  it('returns a JSON object in json_object mode', async () => {
    const json = JSON.parse(await reply('Hello', { responseFormat: { type: 'json_object' } }));
    assert.match(json.reply, /^Hello!/);
  });

  it('fills a json_schema with found values and typed defaults for the rest', async () => {
    const content = await reply('Write to jane@x.io about the $40 invoice due 5 March 2026.', {
      responseFormat: {
        type: 'json_schema',
        name: 'ticket',
        schema: {
          type: 'object',
          properties: {
            email: { type: 'string', format: 'email' },
            amount: { type: 'number' },
            due: { type: 'string', format: 'date' },
            answer: { type: 'string' },
            urgent: { type: 'boolean' },
            level: { enum: ['low', 'high'] },
            tags: { type: 'array', items: { type: 'string' } },
            note: { type: ['string', 'null'] },
          },
          required: ['email', 'amount', 'due', 'answer', 'urgent', 'level', 'tags', 'note'],
        },
      },
    });
    const data = JSON.parse(content);
    assert.equal(data.email, 'jane@x.io');
    assert.equal(data.amount, 40);
    assert.equal(data.due, '2026-03-05');
    assert.match(data.answer, /^You said/);
    assert.equal(data.urgent, false);
    assert.equal(data.level, 'low');
    assert.deepEqual(data.tags, []);
    assert.equal(data.note, null);
  });

  it('cuts the answer at maxTokens and reports finishReason "length"', async () => {
    const { output } = await chat({
      messages: [{ role: 'user', content: 'Please tell me everything about the sea and the sky.' }],
      maxTokens: 5,
    });
    assert.equal(output.finishReason, 'length');
    assert.equal(countTokens(output.message.content), 5);
    const full = await chat({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 500 });
    assert.equal(full.output.finishReason, 'stop');
  });

  it('describes attached images from their statistics', async () => {
    const red = await solidPng(200, 100, { r: 220, g: 20, b: 30 });
    const { output, images } = await chat({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What colour is this picture?' },
            { type: 'image', image: red },
          ],
        },
      ],
    });
    assert.equal(images, 1);
    assert.match(output.message.content, /red/);
    assert.match(output.message.content, /200×100/);
  });

  it('refuses image URLs with invalid_request', async () => {
    await assert.rejects(
      chat({
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', image: { url: 'https://example.com/a.png' } }],
          },
        ],
      }),
      (e: unknown) => e instanceof ProviderError && e.code === 'invalid_request' && !e.retryable,
    );
  });
});

describe('evaluate', () => {
  it('agrees with JavaScript on integer expressions', () => {
    const op = fc.constantFrom('+', '-', '*');
    fc.assert(
      fc.property(
        fc.integer({ min: -999, max: 999 }),
        op,
        fc.integer({ min: 0, max: 999 }),
        op,
        fc.integer({ min: 0, max: 999 }),
        (a, o1, b, o2, c) => {
          const expr = `${a} ${o1} ${b} ${o2} (${c})`;
          // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the oracle, on generated digits and operators only
          const expected = new Function(`return ${expr}`)() as number;
          assert.equal(evaluate(expr), expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects what does not parse', () => {
    assert.equal(evaluate('2 +'), undefined);
    assert.equal(evaluate('(1 + 2'), undefined);
    assert.equal(evaluate('1 / 0'), undefined);
  });
});
