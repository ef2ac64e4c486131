import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as fc from 'fast-check';
import { applyPiiPolicy } from './apply-pii-policy';
import { PlaceholderSafeSplitter, restorePseudonyms } from './pseudonymise';
import { anyPii, filler } from './testing/pii-arbitraries';

/** A pseudonymised text, its mapping, and cut points that may fall inside placeholders. */
const streamed = fc
  .array(fc.tuple(filler, anyPii), { minLength: 1, maxLength: 4 })
  .chain((parts) => {
    const original = `${parts.map(([words, pii]) => `${words} ${pii.value}`).join(' ')} [x] [A b.`;
    const p = applyPiiPolicy(original, 'pseudonymise');
    return fc
      .uniqueArray(fc.integer({ min: 1, max: Math.max(1, p.value.length - 1) }), { maxLength: 12 })
      .map((cuts) => ({ original, text: p.value, mapping: p.mapping ?? {}, cuts }));
  });

const pieces = (text: string, cuts: number[]): string[] => {
  const at = [0, ...[...cuts].sort((a, b) => a - b), text.length];
  return at.slice(1).map((end, i) => text.slice(at[i], end));
};

describe('PlaceholderSafeSplitter', () => {
  it('re-cuts any split so each piece restores on its own to the original', () => {
    fc.assert(
      fc.property(streamed, ({ original, text, mapping, cuts }) => {
        const splitter = new PlaceholderSafeSplitter();
        const out = [...pieces(text, cuts).map((p) => splitter.push(p)), splitter.end()];
        assert.equal(out.join(''), text, 'nothing lost or reordered');
        assert.equal(out.map((p) => restorePseudonyms(p, mapping)).join(''), original);
      }),
      { numRuns: 300 },
    );
  });

  it('holds a placeholder split across two deltas until it is whole', () => {
    const s = new PlaceholderSafeSplitter();
    assert.equal(s.push('Mail [EMA'), 'Mail ');
    assert.equal(s.push('IL_1'), '');
    assert.equal(s.push('] today'), '[EMAIL_1] today');
    assert.equal(restorePseudonyms('[EMAIL_1] today', { '[EMAIL_1]': 'a@b.co' }), 'a@b.co today');
  });

  it('lets brackets that cannot be placeholders through at once', () => {
    const s = new PlaceholderSafeSplitter();
    assert.equal(s.push('see [note] and [a'), 'see [note] and [a');
    assert.equal(s.push(`[${'A'.repeat(40)}`), `[${'A'.repeat(40)}`);
    assert.equal(s.end(), '');
  });
});
