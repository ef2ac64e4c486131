import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import * as fc from 'fast-check';
import { parseKeySpec } from './key-spec';
import { createCipher, DecryptionError } from './payload-cipher';

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('hex');

describe('createCipher', () => {
  it('round-trips strings and bytes, with and without a context', () => {
    const cipher = createCipher(KEY_A);
    fc.assert(
      fc.property(
        fc.string(),
        fc.uint8Array({ maxLength: 512 }),
        fc.string(),
        (text, bytes, ctx) => {
          assert.equal(cipher.decrypt(cipher.encrypt(text)).toString('utf8'), text);
          const buf = Buffer.from(bytes);
          assert.deepEqual(cipher.decrypt(cipher.encrypt(buf, ctx), ctx), buf);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes a versioned compact payload with a fresh IV every time', () => {
    const cipher = createCipher(`main:${KEY_A}`);
    const a = cipher.encrypt('same input');
    const b = cipher.encrypt('same input');
    assert.match(a, /^v1\.main\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    assert.notEqual(a, b);
    assert.ok(!a.includes(Buffer.from('same input').toString('base64url')));
  });

  it('throws on any single-character change to the payload', () => {
    const cipher = createCipher(KEY_A);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    fc.assert(
      fc.property(fc.string(), fc.nat(), fc.nat(), (text, where, shift) => {
        const payload = cipher.encrypt(text);
        const pos = where % payload.length;
        const from = alphabet.indexOf(payload[pos]);
        const next = alphabet[(from + 1 + (shift % (alphabet.length - 1))) % alphabet.length];
        const tampered = payload.slice(0, pos) + next + payload.slice(pos + 1);
        assert.throws(() => cipher.decrypt(tampered), DecryptionError);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a payload moved to another context or relabelled to another key', () => {
    const cipher = createCipher(`k1:${KEY_A},k2:${KEY_A}`);
    const payload = cipher.encrypt('job input', 'job-1');
    assert.throws(() => cipher.decrypt(payload, 'job-2'), DecryptionError);
    assert.throws(() => cipher.decrypt(payload), DecryptionError);
    assert.throws(
      () => cipher.decrypt(payload.replace('v1.k1.', 'v1.k2.'), 'job-1'),
      DecryptionError,
    );
    assert.throws(() => cipher.decrypt('not a payload'), DecryptionError);
    assert.equal(cipher.decrypt(payload, 'job-1').toString(), 'job input');
  });

  it('rotates: the new first key encrypts, the old one still decrypts, a dropped one is named', () => {
    const before = createCipher(`old:${KEY_A}`);
    const during = createCipher(`new:${KEY_B},old:${KEY_A}`);
    const after = createCipher(`new:${KEY_B}`);
    const oldPayload = before.encrypt('written before rotation');
    const newPayload = during.encrypt('written after rotation');

    assert.equal(during.keyId, 'new');
    assert.deepEqual(during.keyIds, ['new', 'old']);
    assert.ok(newPayload.startsWith('v1.new.'));
    assert.equal(during.decrypt(oldPayload).toString(), 'written before rotation');
    assert.equal(after.decrypt(newPayload).toString(), 'written after rotation');
    assert.throws(() => before.decrypt(newPayload), /key "new"/);
    assert.throws(() => after.decrypt(oldPayload), /key "old"/);
  });
});

describe('parseKeySpec', () => {
  it('reads base64, base64url and hex keys, named or not', () => {
    const raw = randomBytes(32);
    const [plain] = parseKeySpec(raw.toString('base64'));
    assert.deepEqual([plain.kid, plain.key], ['default', raw]);
    const keys = parseKeySpec(` a:${raw.toString('hex')} , b:${raw.toString('base64url')} `);
    assert.deepEqual(
      keys.map((k) => [k.kid, k.key]),
      [
        ['a', raw],
        ['b', raw],
      ],
    );
  });

  it('explains bad specs without echoing key material', () => {
    const short = randomBytes(16).toString('base64');
    assert.throws(() => parseKeySpec(''), /empty/);
    assert.throws(
      () => parseKeySpec(`k1:${short}`),
      (e: Error) => /32 bytes/.test(e.message) && !e.message.includes(short),
    );
    assert.throws(() => parseKeySpec(`k1:${KEY_A},k1:${KEY_B}`), /appears twice/);
    assert.throws(() => parseKeySpec(`bad kid:${KEY_A}`), /key id/);
  });
});
