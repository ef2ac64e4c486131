import { tightest, type RateLimitState } from '@gateway/governance';
import type { FastifyReply } from 'fastify';

/** Writes `x-ratelimit-limit/-remaining/-reset` for the tightest of the given limits. */
export function setRateLimitHeaders(reply: FastifyReply, states: readonly RateLimitState[]): void {
  const t = tightest(states);
  if (!t) return;
  void reply
    .header('x-ratelimit-limit', String(t.limit))
    .header('x-ratelimit-remaining', String(t.remaining))
    .header('x-ratelimit-reset', String(t.resetSec));
}
