import type { ApiErrorCode } from '@gateway/contracts';

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
  ) {
    super(message);
    this.name = 'PolicyRefusal';
  }

  static is(e: unknown): e is PolicyRefusal {
    return e instanceof PolicyRefusal;
  }
}
