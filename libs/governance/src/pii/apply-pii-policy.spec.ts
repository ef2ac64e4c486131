import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as fc from 'fast-check';
import { applyPiiPolicy, restorePseudonymsIn } from './apply-pii-policy';
import { emptyPiiCounts, type PiiType } from './pii-types';
import { restorePseudonyms } from './pseudonymise';
import { anyPii, filler } from './testing/pii-arbitraries';

const RUNS = { numRuns: 200 };

/** Text made of filler and labelled PII values, with the values it holds. */
const textWithPii = fc
  .array(fc.tuple(filler, anyPii), { minLength: 1, maxLength: 5 })
  .chain((parts) =>
    filler.map((tail) => ({
      text: `${parts.map(([words, pii]) => `${words} ${pii.value}`).join(' ')} ${tail}.`,
      values: parts.map(([, pii]) => pii),
    })),
  );

const expectedCounts = (values: readonly { type: PiiType }[]): Record<PiiType, number> => {
  const counts = emptyPiiCounts();
  for (const v of values) counts[v.type]++;
  return counts;
};

describe('applyPiiPolicy', () => {
  for (const policy of ['redact', 'mask', 'pseudonymise'] as const) {
    it(`${policy} leaves no original value in the output and counts every one`, () => {
      fc.assert(
        fc.property(textWithPii, ({ text, values }) => {
          const result = applyPiiPolicy(text, policy);
          for (const { value } of values) assert.ok(!result.value.includes(value), value);
          assert.deepEqual(result.counts, expectedCounts(values));
          assert.equal(result.blocked, false);
        }),
        RUNS,
      );
    });
  }

  it('pseudonymise then restore gives the original text back', () => {
    fc.assert(
      fc.property(textWithPii, ({ text }) => {
        const { value, mapping } = applyPiiPolicy(text, 'pseudonymise');
        assert.ok(mapping);
        assert.equal(restorePseudonyms(value, mapping), text);
      }),
      RUNS,
    );
  });

  it('gives the same value the same placeholder across a whole job, and others new ones', () => {
    fc.assert(
      fc.property(anyPii, anyPii, filler, ({ type, value }, other, words) => {
        fc.pre(other.value !== value);
        const input = {
          messages: [
            { role: 'user', content: `${words} ${value} ${words}` },
            { role: 'user', content: [{ type: 'text', text: `${value} and ${other.value} ok` }] },
          ],
        };
        const { value: out, mapping } = applyPiiPolicy(input, 'pseudonymise');
        const first = out.messages[0].content as string;
        const second = (out.messages[1].content as { text: string }[])[0].text;
        const placeholder = first.slice(words.length + 1, first.length - words.length - 1);
        assert.match(placeholder, new RegExp(`^\\[${type.toUpperCase()}_\\d+\\]$`));
        assert.ok(second.startsWith(`${placeholder} and `));
        assert.ok(!second.slice(placeholder.length).includes(placeholder));
        assert.deepEqual(restorePseudonymsIn(out, mapping ?? {}), input);
      }),
      RUNS,
    );
  });

  it('redacts with labels and masks keeping a little shape', () => {
    const text = 'ann@example.com paid with 4242 4242 4242 4242 from 192.168.1.10';
    assert.equal(
      applyPiiPolicy(text, 'redact').value,
      '[REDACTED_EMAIL] paid with [REDACTED_CARD] from [REDACTED_IPV4]',
    );
    assert.equal(
      applyPiiPolicy(text, 'mask').value,
      'a***@e***.com paid with **** **** **** 4242 from 192.*.*.*',
    );
  });

  it('blocks with counts and leaves the input untouched; off does nothing', () => {
    const input = ['ssn 536-22-1847', 'mail ann@example.com or bob@example.org'];
    const blocked = applyPiiPolicy(input, 'block');
    assert.equal(blocked.blocked, true);
    assert.equal(blocked.value, input);
    assert.deepEqual(blocked.counts, { ...emptyPiiCounts(), ssn: 1, email: 2 });
    assert.equal(applyPiiPolicy(['nothing here'], 'block').blocked, false);
    const off = applyPiiPolicy(input, 'off');
    assert.deepEqual([off.value, off.total, off.blocked], [input, 0, false]);
  });

  it('walks JSON but leaves keys, numbers and image payloads alone', () => {
    const input = {
      task: 'chat',
      'ann@example.com': 1,
      maxTokens: 5,
      image: { base64: 'YW5uQGV4YW1wbGUuY29t ann@example.com', mediaType: 'image/png' },
      link: { url: 'https://x.test/?to=ann@example.com' },
      text: 'to ann@example.com',
    };
    const { value, counts } = applyPiiPolicy(input, 'redact', ['email']);
    assert.deepEqual(value, { ...input, text: 'to [REDACTED_EMAIL]' });
    assert.equal(counts.email, 1);
  });

  it('continues numbering from an earlier mapping of the same job', () => {
    const first = applyPiiPolicy('ann@example.com', 'pseudonymise');
    const second = applyPiiPolicy(
      'bob@example.com and ann@example.com',
      'pseudonymise',
      undefined,
      {
        mapping: first.mapping,
      },
    );
    assert.equal(second.value, '[EMAIL_2] and [EMAIL_1]');
    assert.deepEqual(second.mapping, {
      '[EMAIL_1]': 'ann@example.com',
      '[EMAIL_2]': 'bob@example.com',
    });
  });
});
