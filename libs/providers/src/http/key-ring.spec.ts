import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeyRing } from './key-ring';

describe('KeyRing', () => {
  it('uses keys in turn and drops blanks and duplicates', () => {
    const ring = new KeyRing(['a', undefined, 'b', 'a', 'c']);
    assert.equal(ring.size, 3);
    assert.deepEqual([ring.next(), ring.next(), ring.next(), ring.next()], ['a', 'b', 'c', 'a']);
  });
  it('skips a key set aside, and keys this call already tried', () => {
    const ring = new KeyRing(['a', 'b', 'c']);
    ring.setAside('a');
    assert.deepEqual([ring.next(), ring.next(), ring.next()], ['b', 'c', 'b']);
    assert.equal(ring.next(new Set(['b', 'c'])), 'a');
    assert.equal(ring.next(new Set(['a', 'b', 'c'])), undefined);
  });
  it('brings a key back after the cool-down, and uses the oldest set aside when all are', () => {
    let t = 0;
    const ring = new KeyRing(['a', 'b'], 1000, () => t);
    ring.setAside('a');
    t = 10;
    ring.setAside('b');
    assert.equal(ring.next(), 'a');
    t = 1005;
    assert.equal(ring.isSetAside('a'), true);
    assert.equal(ring.next(), 'a');
    assert.equal(ring.isSetAside('a'), false);
  });
  it('is empty without keys', () => {
    assert.equal(new KeyRing([]).next(), undefined);
  });
});
