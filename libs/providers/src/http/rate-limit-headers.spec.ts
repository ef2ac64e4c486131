import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  readAnthropicRateLimit,
  readOpenAiRateLimit,
  readRetryAfter,
  waitFromRateLimit,
} from './rate-limit-headers';

const now = Date.parse('2025-01-15T14:23:00Z');

describe('readOpenAiRateLimit', () => {
  it('reads the documented x-ratelimit headers', () => {
    const info = readOpenAiRateLimit(
      {
        'x-ratelimit-limit-requests': '60',
        'x-ratelimit-limit-tokens': '150000',
        'x-ratelimit-remaining-requests': '59',
        'x-ratelimit-remaining-tokens': '149984',
        'x-ratelimit-reset-requests': '1s',
        'x-ratelimit-reset-tokens': '6m0s',
      },
      now,
    );
    assert.deepEqual(info, {
      limitRequests: 60,
      remainingRequests: 59,
      resetRequestsMs: 1000,
      limitTokens: 150000,
      remainingTokens: 149984,
      resetTokensMs: 360_000,
    });
  });
  it('prefers retry-after-ms over retry-after', () => {
    assert.equal(readRetryAfter({ 'retry-after-ms': '1500', 'retry-after': '9' }, now), 1500);
    assert.equal(readRetryAfter({ 'retry-after': '9' }, now), 9000);
    assert.equal(readRetryAfter({ 'retry-after': 'Wed, 15 Jan 2025 14:23:05 GMT' }, now), 5000);
  });
  it('is undefined with no signal (Azure sends limit and remaining only, that still counts)', () => {
    assert.equal(readOpenAiRateLimit({ 'content-type': 'application/json' }, now), undefined);
    assert.deepEqual(readOpenAiRateLimit({ 'x-ratelimit-remaining-requests': '9' }, now), {
      remainingRequests: 9,
    });
  });
});

describe('readAnthropicRateLimit', () => {
  it('reads RFC 3339 resets as delays', () => {
    const info = readAnthropicRateLimit(
      {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '0',
        'anthropic-ratelimit-requests-reset': '2025-01-15T14:23:15Z',
        'anthropic-ratelimit-input-tokens-limit': '40000',
        'anthropic-ratelimit-input-tokens-remaining': '39000',
        'anthropic-ratelimit-input-tokens-reset': '2025-01-15T14:23:01Z',
        'retry-after': '15',
      },
      now,
    );
    assert.deepEqual(info, {
      limitRequests: 50,
      remainingRequests: 0,
      resetRequestsMs: 15_000,
      limitTokens: 40000,
      remainingTokens: 39000,
      resetTokensMs: 1000,
      retryAfterMs: 15_000,
    });
  });
});

describe('waitFromRateLimit', () => {
  it('takes retry-after, else the reset of the exhausted bucket', () => {
    assert.equal(waitFromRateLimit({ retryAfterMs: 10, resetRequestsMs: 99 }), 10);
    assert.equal(
      waitFromRateLimit({
        remainingRequests: 0,
        resetRequestsMs: 900,
        remainingTokens: 5,
        resetTokensMs: 60_000,
      }),
      900,
    );
    assert.equal(waitFromRateLimit({ remainingRequests: 3, resetRequestsMs: 900 }), undefined);
    assert.equal(waitFromRateLimit(undefined), undefined);
  });
});
