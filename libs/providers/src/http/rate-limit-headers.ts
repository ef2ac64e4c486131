import type { RateLimitInfo } from '../rate-limit';
import { hasRateLimitSignal } from '../rate-limit';
import {
  parseGoDuration,
  parseRetryAfter,
  parseRetryAfterMs,
  parseRfc3339Delay,
} from './durations';

/** Response headers as undici gives them (lower-case names). */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** The first value of a header, or undefined. */
export function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function int(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*-?\d+\s*$/.test(text)) return undefined;
  return Number(text);
}

function compact(info: RateLimitInfo): RateLimitInfo | undefined {
  const out: RateLimitInfo = {};
  for (const [k, v] of Object.entries(info) as [keyof RateLimitInfo, number | undefined][]) {
    if (v !== undefined) out[k] = v;
  }
  return hasRateLimitSignal(out) ? out : undefined;
}

/** `retry-after-ms` first (OpenAI's, more precise), then `retry-after` (seconds or HTTP date). */
export function readRetryAfter(headers: HeaderBag, now = Date.now()): number | undefined {
  return (
    parseRetryAfterMs(header(headers, 'retry-after-ms')) ??
    parseRetryAfter(header(headers, 'retry-after'), now)
  );
}

/** OpenAI and Azure OpenAI: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` (Go durations). */
export function readOpenAiRateLimit(
  headers: HeaderBag,
  now = Date.now(),
): RateLimitInfo | undefined {
  return compact({
    limitRequests: int(header(headers, 'x-ratelimit-limit-requests')),
    remainingRequests: int(header(headers, 'x-ratelimit-remaining-requests')),
    resetRequestsMs: parseGoDuration(header(headers, 'x-ratelimit-reset-requests')),
    limitTokens: int(header(headers, 'x-ratelimit-limit-tokens')),
    remainingTokens: int(header(headers, 'x-ratelimit-remaining-tokens')),
    resetTokensMs: parseGoDuration(header(headers, 'x-ratelimit-reset-tokens')),
    retryAfterMs: readRetryAfter(headers, now),
  });
}

/**
 * Anthropic: `anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset}` with RFC 3339
 * resets. Newer accounts report input and output tokens apart; the tighter one stands for
 * `tokens` when the combined headers are absent.
 */
export function readAnthropicRateLimit(
  headers: HeaderBag,
  now = Date.now(),
): RateLimitInfo | undefined {
  const h = (name: string) => header(headers, `anthropic-ratelimit-${name}`);
  const tokens = (suffix: string) =>
    h(`tokens-${suffix}`) ?? h(`input-tokens-${suffix}`) ?? h(`output-tokens-${suffix}`);
  return compact({
    limitRequests: int(h('requests-limit')),
    remainingRequests: int(h('requests-remaining')),
    resetRequestsMs: parseRfc3339Delay(h('requests-reset'), now),
    limitTokens: int(tokens('limit')),
    remainingTokens: int(tokens('remaining')),
    resetTokensMs: parseRfc3339Delay(tokens('reset'), now),
    retryAfterMs: readRetryAfter(headers, now),
  });
}

/** Only `retry-after` (Gemini, Bedrock, Vision send no quota headers). */
export function readRetryAfterOnly(
  headers: HeaderBag,
  now = Date.now(),
): RateLimitInfo | undefined {
  return compact({ retryAfterMs: readRetryAfter(headers, now) });
}

/**
 * How long to wait after a 429 when the vendor gave no Retry-After: the reset of the
 * exhausted bucket (remaining 0), else the longer of the two resets.
 */
export function waitFromRateLimit(info: RateLimitInfo | undefined): number | undefined {
  if (!info) return undefined;
  if (info.retryAfterMs !== undefined) return info.retryAfterMs;
  const exhausted = [
    info.remainingRequests === 0 ? info.resetRequestsMs : undefined,
    info.remainingTokens === 0 ? info.resetTokensMs : undefined,
  ].filter((v): v is number => v !== undefined);
  if (exhausted.length) return Math.max(...exhausted);
  return undefined;
}
