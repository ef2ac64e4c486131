import type { FinishReason, ProviderErrorCode } from '@gateway/contracts';
import { ProviderError } from '../provider-error';
import { codeForStatus, looksLikeContextLength } from '../http/errors';
import { header, waitFromRateLimit } from '../http/rate-limit-headers';
import type { ErrorResponse } from '../http/vendor-client';
import { AnthropicErrorBody } from './anthropic.schemas';

const BY_TYPE: Record<string, ProviderErrorCode> = {
  invalid_request_error: 'invalid_request',
  authentication_error: 'auth',
  billing_error: 'quota_exhausted',
  permission_error: 'permission',
  not_found_error: 'not_found',
  request_too_large: 'invalid_request',
  rate_limit_error: 'rate_limited',
  api_error: 'server_error',
  timeout_error: 'timeout',
  overloaded_error: 'overloaded',
};

const SPEND_CAP = 'enforced_spend_limit_reached';

/** The HTTP status Anthropic uses for an error type, for errors met inside a stream. */
export const ANTHROPIC_STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** Anthropic's errors (`{"type":"error","error":{"type","message"}}`) in the gateway taxonomy. */
export function mapAnthropicError(res: ErrorResponse, label: string): ProviderError {
  const parsed = AnthropicErrorBody.safeParse(res.json);
  const type = parsed.success ? parsed.data.error.type : undefined;
  const message =
    (parsed.success ? parsed.data.error.message : undefined) ??
    (res.text.slice(0, 300) || `HTTP ${res.status}`);
  let code: ProviderErrorCode = (type && BY_TYPE[type]) || codeForStatus(res.status);
  if (code === 'invalid_request' && looksLikeContextLength(message)) code = 'context_length';
  // The monthly spend cap answers as a rate limit, but no wait lifts it before next month.
  else if (parsed.success && parsed.data.error.details?.error_code === SPEND_CAP) {
    code = 'quota_exhausted';
  }
  const waits = code === 'rate_limited' || code === 'overloaded';
  const retryAfterMs = waits ? waitFromRateLimit(res.rateLimit) : res.rateLimit?.retryAfterMs;
  const shouldRetry = header(res.headers, 'x-should-retry');
  const retryable =
    code === 'quota_exhausted'
      ? false
      : shouldRetry === 'true'
        ? true
        : shouldRetry === 'false'
          ? false
          : undefined;
  return new ProviderError(code, `${label}: ${message}`, {
    status: res.status,
    rateLimit: res.rateLimit,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(retryable !== undefined ? { retryable } : {}),
  });
}

export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
    case null:
    case undefined:
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'error';
  }
}
