import type { ApiErrorCode } from '@gateway/contracts';
import type { RateLimitState } from '../limits/rate-limiter';

/**
 * A governance refusal with the API code it maps to. Governance cannot import the platform's
 * GatewayError (the platform imports governance), so callers translate this one.
 */
export class PolicyRefusal extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown[],
    readonly retryAfterSec?: number,
    /** The rate limits the refused request was counted against (for the x-ratelimit headers). */
    readonly rateLimit?: readonly RateLimitState[],
  ) {
    super(message);
    this.name = 'PolicyRefusal';
  }

  static is(e: unknown): e is PolicyRefusal {
    return e instanceof PolicyRefusal;
  }
}
