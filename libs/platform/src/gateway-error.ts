import { API_ERRORS, type ApiErrorCode } from '@gateway/contracts';

/**
 * A refusal with a machine-readable code. Domain code throws these; the HTTP layer maps the
 * code to its status and the documented error shape.
 */
export class GatewayError extends Error {
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
