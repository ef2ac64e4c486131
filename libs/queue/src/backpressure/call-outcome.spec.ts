import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderError } from '@gateway/providers';
import { classify, pauseFor } from './call-outcome';

describe('call outcome', () => {
  it('classifies provider errors for the limit and the breaker', () => {
    assert.equal(classify(undefined), 'ok');
    assert.equal(classify(new ProviderError('rate_limited', 'x')), 'capacity');
    assert.equal(classify(new ProviderError('overloaded', 'x')), 'overload');
    assert.equal(classify(new ProviderError('timeout', 'x')), 'overload');
    assert.equal(classify(new ProviderError('server_error', 'x')), 'failure');
    assert.equal(classify(new ProviderError('invalid_request', 'x')), 'neutral');
  });

  it('pauses for Retry-After on a 429, else for the reset of a nearly empty bucket', () => {
    const e429 = new ProviderError('rate_limited', 'x', { retryAfterMs: 1500 });
    assert.equal(pauseFor({ error: e429 }), 1500);
    assert.equal(pauseFor({ error: new ProviderError('rate_limited', 'x') }), 1000);
    const healthy = { limitRequests: 1000, remainingRequests: 500, resetRequestsMs: 30_000 };
    assert.equal(pauseFor({ rateLimit: healthy }), 0);
    const low = { limitRequests: 1000, remainingRequests: 20, resetRequestsMs: 30_000 };
    assert.equal(pauseFor({ rateLimit: low }), 30_000);
    const tokens = { limitTokens: 100_000, remainingTokens: 1000, resetTokensMs: 4000 };
    assert.equal(pauseFor({ rateLimit: tokens }), 4000);
  });
});
