import { API_ERRORS, type ApiErrorCode } from '@gateway/contracts';
import type { RateLimitState } from '@gateway/governance';

/**
 * A refusal with a machine-readable code. Domain code throws these; the HTTP layer maps the
 * code to its status and the documented error shape.
 */
export class GatewayError extends Error {
  /**
   * The rate limits the refused request was counted against, when it was (a submission
   * refused after admission counted it): the HTTP layer answers with their headers.
   */
  rateLimit?: readonly RateLimitState[];

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown[],
    /** Seconds the client should wait (429/503). */
    readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  get status(): number {
    return API_ERRORS[this.code];
  }
}
