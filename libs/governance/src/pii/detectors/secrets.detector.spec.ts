import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as fc from 'fast-check';
import { detectPii } from '../detect-pii';
import type { PiiType } from '../pii-types';
import { apiKey, filler, privateKey } from '../testing/pii-arbitraries';

const found = (text: string): [PiiType, string][] => detectPii(text).map((f) => [f.type, f.value]);

describe('secrets', () => {
  it('finds vendor keys and PEM private keys', () => {
    fc.assert(
      fc.property(filler, fc.oneof(apiKey, privateKey), filler, (before, secret, after) => {
        const type = secret.startsWith('-----') ? 'private_key' : 'api_key';
        assert.deepEqual(found(`${before} ${secret} ${after}`), [[type, secret]]);
      }),
      { numRuns: 300 },
    );
  });

  it('takes the value of high-entropy assignments, not the name', () => {
    assert.deepEqual(found('OPENAI_API_KEY=q8Zr2LmX9vTq4NcB7wYe'), [
      ['api_key', 'q8Zr2LmX9vTq4NcB7wYe'],
    ]);
    assert.deepEqual(found('{"client_secret": "Zk29fQ0pLx7Wm3RtY8vB"}'), [
      ['api_key', 'Zk29fQ0pLx7Wm3RtY8vB'],
    ]);
    assert.deepEqual(found('token = 3f9a1c7e5b2d4f6a8c0e.'), [['api_key', '3f9a1c7e5b2d4f6a8c0e']]);
  });

  it('ignores placeholders, prose and low-entropy values', () => {
    for (const text of [
      'api_key=YOUR_API_KEY_HERE',
      'token=aaaaaaaaaaaaaaaaaaaa1',
      'sk-this-is-not-a-real-key-at-all',
      'the task-runner uses skeleton keys',
      'AKIA is a prefix, AKIAshort is not a key',
    ]) {
      assert.deepEqual(found(text), [], text);
    }
  });

  it('covers a private key cut short without its END line', () => {
    const text = 'pasted: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC';
    assert.deepEqual(found(text), [['private_key', text.slice(8)]]);
  });
});
