import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cosine, DEFAULT_EMBED_DIMENSIONS, embed } from './local-embed';

function norm(v: readonly number[]): number {
  return Math.sqrt(v.reduce((a, x) => a + x * x, 0));
}

describe('embed', () => {
  it('returns one unit vector per input, 256 wide by default', () => {
    const { embeddings } = embed({ input: ['first text', 'second text'] });
    assert.equal(embeddings.length, 2);
    for (const e of embeddings) {
      assert.equal(e.length, DEFAULT_EMBED_DIMENSIONS);
      assert.ok(Math.abs(norm(e) - 1) < 1e-9);
    }
  });

  it('honours the requested dimension', () => {
    assert.equal(embed({ input: 'hello', dimensions: 1024 }).embeddings[0].length, 1024);
    assert.equal(embed({ input: 'hello', dimensions: 7 }).embeddings[0].length, 7);
  });

  it('places similar texts closer than unrelated ones', () => {
    const [cat, kitten, stock] = embed({
      input: [
        'The cat sat on the warm windowsill and purred.',
        'A cat was purring on the sunny windowsill.',
        'Quarterly revenue rose as the bank raised interest rates.',
      ],
    }).embeddings as [number[], number[], number[]];
    assert.ok(cosine(cat, kitten) > cosine(cat, stock) + 0.2);
    assert.ok(cosine(cat, kitten) > cosine(kitten, stock) + 0.2);
  });

  it('brings spelling variants together through character n-grams', () => {
    const [colour, color, bank] = embed({ input: ['colours', 'color', 'bank'] }).embeddings as [
      number[],
      number[],
      number[],
    ];
    assert.ok(cosine(colour, color) > cosine(colour, bank));
  });

  it('gives text without words a unit vector too', () => {
    const [e] = embed({ input: '!!! ???' }).embeddings;
    assert.ok(Math.abs(norm(e) - 1) < 1e-9);
  });

  it('is always unit length and deterministic', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 512 }),
        (text, dimensions) => {
          const a = embed({ input: text, dimensions }).embeddings[0];
          const b = embed({ input: [text], dimensions }).embeddings[0];
          assert.equal(a.length, dimensions);
          assert.ok(Math.abs(norm(a) - 1) < 1e-9, `norm ${norm(a)}`);
          assert.deepEqual(a, b);
        },
      ),
      { numRuns: 200 },
    );
  });
});
