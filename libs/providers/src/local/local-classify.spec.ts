import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { classify } from './local-classify';

const SENTIMENT = ['positive', 'negative', 'neutral'];

function sum(scores: Record<string, number>): number {
  return Object.values(scores).reduce((a, b) => a + b, 0);
}

describe('classify', () => {
  it('picks "positive" for an obviously positive text', () => {
    const r = classify({
      text: 'I absolutely love this product, it works great and the support team was so helpful!',
      labels: SENTIMENT,
    });
    assert.equal(r.label, 'positive');
    assert.ok(r.scores.positive > 0.6);
  });

  it('picks "negative" for complaints, and reads negation', () => {
    assert.equal(
      classify({ text: 'The parcel arrived broken and late. Terrible service.', labels: SENTIMENT })
        .label,
      'negative',
    );
    assert.equal(
      classify({ text: 'This was not good at all.', labels: ['positive', 'negative'] }).label,
      'negative',
    );
    assert.equal(
      classify({ text: 'Honestly, not bad at all.', labels: ['positive', 'negative'] }).label,
      'positive',
    );
  });

  it('falls back to a neutral label when the text carries no sentiment', () => {
    const r = classify({ text: 'The meeting is on Tuesday in room four.', labels: SENTIMENT });
    assert.equal(r.label, 'neutral');
  });

  it('scores topic labels through their own words and the built-in lexicon', () => {
    const labels = ['politics', 'sports', 'technology'];
    assert.equal(
      classify({ text: 'The striker scored twice as the team won the league match.', labels })
        .label,
      'sports',
    );
    assert.equal(
      classify({
        text: 'The new app stores your data in the cloud and runs on any device.',
        labels,
      }).label,
      'technology',
    );
    assert.equal(
      classify({ text: 'Voters head to the polls as the election campaign ends.', labels }).label,
      'politics',
    );
  });

  it("uses the caller's own label words with stemming", () => {
    const r = classify({
      text: 'Resetting my passwords does not work since Monday.',
      labels: ['shipping delay', 'password reset', 'feature idea'],
    });
    assert.equal(r.label, 'password reset');
  });

  it('gives uniform scores when no label has evidence, and the first label wins ties', () => {
    const r = classify({ text: 'zzz qqq', labels: ['alpha', 'beta'] });
    assert.equal(r.label, 'alpha');
    assert.equal(r.scores.alpha, 0.5);
    assert.equal(r.scores.beta, 0.5);
  });

  it('scores each distinct label once, even a label named like an Object prototype key', () => {
    const r = classify({ text: 'hello', labels: ['__proto__', 'constructor', '__proto__'] });
    assert.deepEqual(Object.keys(r.scores).sort(), ['__proto__', 'constructor']);
    assert.ok(Math.abs(sum(r.scores) - 1) < 1e-9);
  });

  it('always returns one of the labels with scores in [0, 1] summing to 1', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 200 }),
        fc.array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 2, maxLength: 12 }),
        (text, labels) => {
          const r = classify({ text, labels });
          assert.ok(labels.includes(r.label));
          assert.ok(Math.abs(sum(r.scores) - 1) < 1e-9);
          for (const s of Object.values(r.scores)) assert.ok(s > 0 && s <= 1);
          assert.deepEqual(classify({ text, labels }), r);
        },
      ),
      { numRuns: 300 },
    );
  });
});
