import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseGoDuration,
  parseProtoDuration,
  parseRetryAfter,
  parseRetryAfterMs,
  parseRfc3339Delay,
} from './durations';

describe('parseGoDuration', () => {
  it('reads the forms OpenAI sends', () => {
    assert.equal(parseGoDuration('6m0s'), 360_000);
    assert.equal(parseGoDuration('1s'), 1000);
    assert.equal(parseGoDuration('12ms'), 12);
    assert.equal(parseGoDuration('0s'), 0);
    assert.equal(parseGoDuration('1.574s'), 1574);
    assert.equal(parseGoDuration('1h2m3.5s'), 3_723_500);
    assert.equal(parseGoDuration('20us'), 0);
  });
  it('rejects what is not a Go duration', () => {
    for (const bad of [undefined, '', 'soon', '5', '1x', 's', '1s junk', '-1s']) {
      assert.equal(parseGoDuration(bad), undefined, String(bad));
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-15T14:23:00Z');
  it('reads seconds', () => {
    assert.equal(parseRetryAfter('2', now), 2000);
    assert.equal(parseRetryAfter('1.5', now), 1500);
    assert.equal(parseRetryAfter('0', now), 0);
  });
  it('reads an HTTP date relative to now, never negative', () => {
    assert.equal(parseRetryAfter('Wed, 15 Jan 2025 14:23:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 15 Jan 2025 14:00:00 GMT', now), 0);
  });
  it('ignores junk', () => {
    assert.equal(parseRetryAfter('soon-ish', now), undefined);
    assert.equal(parseRetryAfter('-3', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads float milliseconds', () => {
    assert.equal(parseRetryAfterMs('250'), 250);
    assert.equal(parseRetryAfterMs('12.6'), 13);
    assert.equal(parseRetryAfterMs('abc'), undefined);
  });
});

describe('parseRfc3339Delay', () => {
  const now = Date.parse('2025-01-15T14:23:00Z');
  it('reads Z and offset instants', () => {
    assert.equal(parseRfc3339Delay('2025-01-15T14:23:15Z', now), 15_000);
    assert.equal(parseRfc3339Delay('2025-01-15T14:23:15.250Z', now), 15_250);
    assert.equal(parseRfc3339Delay('2025-01-15T15:23:15+01:00', now), 15_000);
  });
  it('clamps past instants to zero and rejects other formats', () => {
    assert.equal(parseRfc3339Delay('2025-01-15T14:00:00Z', now), 0);
    assert.equal(parseRfc3339Delay('Wed, 15 Jan 2025 14:23:15 GMT', now), undefined);
    assert.equal(parseRfc3339Delay('2025-01-15', now), undefined);
  });
});

describe('parseProtoDuration', () => {
  it('reads Google RetryInfo delays', () => {
    assert.equal(parseProtoDuration('1.5s'), 1500);
    assert.equal(parseProtoDuration('34s'), 34_000);
    assert.equal(parseProtoDuration('34.4s'), 34_400);
    assert.equal(parseProtoDuration('34'), undefined);
  });
});
