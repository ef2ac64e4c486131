import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { summarize } from './local-summarize';
import { countWords, splitSentences, stem } from './local-text';

const SOLAR =
  'Solar panels convert sunlight into electricity using photovoltaic cells. ' +
  'The weather was pleasant on Tuesday. ' +
  'Modern solar panels reach efficiencies above twenty percent, and solar electricity is now cheaper than coal in many markets. ' +
  'My cousin likes to bake bread on weekends. ' +
  'Installing solar panels on rooftops lets households produce their own electricity. ' +
  'Cats sleep a lot.';

describe('splitSentences', () => {
  it('splits on end punctuation but not after abbreviations, initials or decimals', () => {
    const s = splitSentences(
      'Dr. Smith paid 3.5 dollars, e.g. for tea. Then he left! Did J. R. see it? Yes.',
    );
    assert.deepEqual(s, [
      'Dr. Smith paid 3.5 dollars, e.g. for tea.',
      'Then he left!',
      'Did J. R. see it?',
      'Yes.',
    ]);
  });

  it('ends a sentence at a blank line even without punctuation', () => {
    assert.deepEqual(splitSentences('Heading\n\nBody text here.'), ['Heading', 'Body text here.']);
  });
});

describe('stem', () => {
  it('makes inflections of one word meet', () => {
    assert.equal(stem('loved'), stem('love'));
    assert.equal(stem('loving'), stem('love'));
    assert.equal(stem('happiness'), stem('happy'));
    assert.equal(stem('running'), stem('run'));
    assert.equal(stem('panels'), stem('panel'));
  });
});

describe('summarize', () => {
  it('picks the sentences about the main topic, in their original order', () => {
    const { summary } = summarize({ text: SOLAR });
    assert.match(summary, /^Solar panels convert sunlight/);
    assert.match(summary, /Modern solar panels reach efficiencies/);
    assert.doesNotMatch(summary, /cousin|Cats|weather/);
    assert.ok(summary.indexOf('convert') < summary.indexOf('Modern'));
  });

  it('fills a word budget with key sentences only', () => {
    const { summary } = summarize({ text: SOLAR, maxWords: 30 });
    assert.ok(countWords(summary) <= 30);
    assert.match(summary, /solar/i);
    assert.doesNotMatch(summary, /cousin|Cats|weather/);
  });

  it('cuts the key sentence when the budget is smaller than any sentence', () => {
    const { summary } = summarize({ text: SOLAR, maxWords: 4 });
    assert.equal(countWords(summary), 4);
    assert.match(summary, /solar/i);
    assert.ok(summary.endsWith('…'));
  });

  it('returns a single sentence unchanged', () => {
    assert.deepEqual(summarize({ text: 'Just one sentence here.' }), {
      summary: 'Just one sentence here.',
    });
  });

  it('never exceeds maxWords and never returns nothing for text with words', () => {
    const sentence = fc
      .array(fc.constantFrom('solar', 'power', 'grid', 'cheap', 'the', 'cats', 'bread', 'wind'), {
        minLength: 1,
        maxLength: 14,
      })
      .map((ws) => `${ws.join(' ')}.`.replace(/^./, (c) => c.toUpperCase()));
    fc.assert(
      fc.property(
        fc.array(sentence, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 40 }),
        (ss, max) => {
          const { summary } = summarize({ text: ss.join(' '), maxWords: max });
          const n = countWords(summary);
          assert.ok(n >= 1 && n <= max, `${n} words for maxWords ${max}`);
        },
      ),
      { numRuns: 200 },
    );
  });
});
