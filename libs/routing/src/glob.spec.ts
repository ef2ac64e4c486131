import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globToRegExp, matchesAny } from './glob';
import { hashUnit } from './hash';

describe('model globs', () => {
  it('match whole names with * and ?, case-insensitively, other characters literally', () => {
    assert.equal(globToRegExp('gpt-*').test('GPT-4o-mini'), true);
    assert.equal(globToRegExp('gpt-*').test('my-gpt-4o'), false);
    assert.equal(globToRegExp('gpt-4.1').test('gpt-4x1'), false);
    assert.equal(globToRegExp('gpt-4.1').test('gpt-4.1'), true);
    assert.equal(globToRegExp('claude-?').test('claude-3'), true);
    assert.equal(globToRegExp('claude-?').test('claude-35'), false);
    assert.equal(globToRegExp('a+(b)').test('a+(b)'), true);
  });

  it('any name against any pattern', () => {
    assert.equal(matchesAny(['d1', 'alias-x', 'vendor-model'], ['x*', 'alias-*']), true);
    assert.equal(matchesAny(['d1'], []), false);
  });
});

describe('hashUnit', () => {
  it('is stable, in [0, 1), and spreads neighbouring keys', () => {
    assert.equal(hashUnit('job-1'), hashUnit('job-1'));
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const u = hashUnit(`job-${i}`);
      assert.ok(u >= 0 && u < 1);
      buckets[Math.floor(u * 10)]++;
    }
    for (const b of buckets) assert.ok(b > 850 && b < 1150, buckets.join(','));
  });
});
