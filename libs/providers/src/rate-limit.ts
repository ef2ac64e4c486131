/**
 * A vendor's rate-limit signals in one shape, read from response headers or error bodies.
 * Times are relative milliseconds from when the response arrived.
 */
export interface RateLimitInfo {
  limitRequests?: number;
  remainingRequests?: number;
  resetRequestsMs?: number;
  limitTokens?: number;
  remainingTokens?: number;
  resetTokensMs?: number;
  /** Retry-After (or the vendor's equivalent), when present. */
  retryAfterMs?: number;
}

/** True when the structure carries at least one signal. */
export function hasRateLimitSignal(r: RateLimitInfo | undefined): r is RateLimitInfo {
  return !!r && Object.values(r).some((v) => v !== undefined);
}
