import type { ProviderErrorCode } from '@gateway/contracts';
import type { RateLimitInfo } from './rate-limit';

const RETRYABLE: ReadonlySet<ProviderErrorCode> = new Set([
  'rate_limited',
  'overloaded',
  'timeout',
  'server_error',
  'network',
]);

/** A provider failure in the gateway's taxonomy. Every adapter maps its errors to this. */
export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  /** How long the vendor asked us to wait, when it said. */
  readonly retryAfterMs: number | undefined;
  /** HTTP status the vendor answered, when there was one. */
  readonly status: number | undefined;
  readonly rateLimit: RateLimitInfo | undefined;

  constructor(
    code: ProviderErrorCode,
    message: string,
    opts: {
      retryable?: boolean;
      retryAfterMs?: number;
      status?: number;
      rateLimit?: RateLimitInfo;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'ProviderError';
    this.code = code;
    this.retryable = opts.retryable ?? RETRYABLE.has(code);
    this.retryAfterMs = opts.retryAfterMs;
    this.status = opts.status;
    this.rateLimit = opts.rateLimit;
  }

  static isProviderError(e: unknown): e is ProviderError {
    return e instanceof ProviderError;
  }
}
