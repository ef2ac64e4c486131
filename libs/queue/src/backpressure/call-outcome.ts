import type { ProviderError, RateLimitInfo } from '@gateway/providers';

/** How a provider call ended, as the limiter and breaker see it. */
export interface CallReport {
  readonly error?: ProviderError;
  readonly rateLimit?: RateLimitInfo;
  readonly tokens?: number;
  /** The provider call's own duration (the lease also covers the job's bookkeeping). */
  readonly latencyMs?: number;
}

/** Remaining vendor requests or tokens at or below this share of the limit pause the queue. */
const LOW_WATER = 0.02;

export type Outcome = 'ok' | 'capacity' | 'overload' | 'failure' | 'neutral';

const OUTCOME: Partial<Record<ProviderError['code'], Outcome>> = {
  rate_limited: 'capacity',
  overloaded: 'overload',
  timeout: 'overload',
  server_error: 'failure',
  network: 'failure',
};

/** 429 → capacity; 503/529/timeouts → overload; 5xx/network → breaker failure; else neutral. */
export function classify(error: ProviderError | undefined): Outcome {
  return error ? (OUTCOME[error.code] ?? 'neutral') : 'ok';
}

/**
 * How long the vendor asked us to stop: Retry-After on a 429, or the reset of a bucket whose
 * remaining requests or tokens fell to the low-water mark (slow down before the 429).
 */
export function pauseFor(report: CallReport): number {
  const rl = report.error?.rateLimit ?? report.rateLimit;
  if (report.error?.code === 'rate_limited') {
    return report.error.retryAfterMs ?? rl?.retryAfterMs ?? rl?.resetRequestsMs ?? 1000;
  }
  if (!rl) return 0;
  const low = (remaining?: number, limit?: number) =>
    remaining !== undefined && remaining <= Math.max(0, Math.floor((limit ?? 0) * LOW_WATER));
  let ms = 0;
  if (low(rl.remainingRequests, rl.limitRequests)) ms = Math.max(ms, rl.resetRequestsMs ?? 1000);
  if (low(rl.remainingTokens, rl.limitTokens)) ms = Math.max(ms, rl.resetTokensMs ?? 1000);
  return ms;
}
