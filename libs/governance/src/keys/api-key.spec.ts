import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import * as fc from 'fast-check';
import { generateApiKey, hashApiKey, isApiKeyFormat, randomBase62, safeEqual } from './api-key';
import { parseBearer } from './bearer';

describe('generateApiKey', () => {
  it('makes gw_ keys of 48 base62 characters with a public id and prefix', () => {
    const k = generateApiKey();
    assert.match(k.key, /^gw_[0-9A-Za-z]{48}$/);
    assert.match(k.id, /^key_[0-9A-Za-z]{16}$/);
    assert.equal(k.prefix, k.key.slice(0, 11));
    assert.ok(!k.id.includes(k.key.slice(3, 11)));
    assert.equal(k.hash, hashApiKey(k.key));
    assert.ok(isApiKeyFormat(k.key));
    assert.ok(!isApiKeyFormat(`${k.key}x`) && !isApiKeyFormat(k.key.replace('gw_', 'gx_')));
  });

  it('never repeats a key or an id', () => {
    const keys = Array.from({ length: 2000 }, () => generateApiKey());
    assert.equal(new Set(keys.map((k) => k.key)).size, keys.length);
    assert.equal(new Set(keys.map((k) => k.id)).size, keys.length);
  });

  it('draws every base62 character, and nothing else', () => {
    const sample = randomBase62(20_000);
    assert.match(sample, /^[0-9A-Za-z]{20000}$/);
    assert.equal(new Set(sample).size, 62);
  });

  it('stores a pepper-keyed hash when a pepper is given', () => {
    const k = generateApiKey('server-pepper');
    assert.equal(k.hash, hashApiKey(k.key, 'server-pepper'));
    assert.notEqual(k.hash, hashApiKey(k.key));
  });
});

describe('hashApiKey', () => {
  it('is SHA-256 hex, or HMAC-SHA256 with a pepper (published test vectors)', () => {
    assert.equal(
      hashApiKey('abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    assert.equal(
      hashApiKey('The quick brown fox jumps over the lazy dog', 'key'),
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });

  it('is stable and distinguishes keys', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        assert.equal(hashApiKey(a), hashApiKey(a));
        assert.equal(hashApiKey(a) === hashApiKey(b), a === b);
        assert.equal(hashApiKey(a), createHash('sha256').update(a, 'utf8').digest('hex'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('safeEqual', () => {
  it('is true exactly for equal inputs, whatever their lengths', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        assert.equal(safeEqual(a, b), a === b);
        assert.equal(safeEqual(a, a), true);
      }),
      { numRuns: 300 },
    );
    assert.equal(safeEqual('gw_abc', 'gw_abcd'), false);
    // Enough distinct pairs that a comparison of only part of the digest would slip.
    for (let i = 0; i < 4096; i++) assert.equal(safeEqual(`gw_${i}`, `gw_${i + 1}`), false);
    assert.equal(safeEqual(Buffer.from('x'), 'x'), true);
  });
});

describe('parseBearer', () => {
  it('takes one token after the Bearer scheme and nothing else', () => {
    assert.equal(parseBearer('Bearer gw_abc123'), 'gw_abc123');
    assert.equal(parseBearer('bearer   gw_abc123  '), 'gw_abc123');
    assert.equal(parseBearer(['Bearer tok.en-1~+/=']), 'tok.en-1~+/=');
    for (const bad of [
      undefined,
      null,
      '',
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      'Bearer a b',
      'gw_abc',
    ]) {
      assert.equal(parseBearer(bad), null, String(bad));
    }
    assert.equal(parseBearer(['Bearer a', 'Bearer b']), null);
  });
});
