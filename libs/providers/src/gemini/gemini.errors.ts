import type { FinishReason, ProviderErrorCode } from '@gateway/contracts';
import { ProviderError } from '../provider-error';
import { parseProtoDuration } from '../http/durations';
import { codeForStatus, looksLikeContextLength } from '../http/errors';
import type { ErrorResponse } from '../http/vendor-client';
import { GoogleErrorBody, type GoogleStatus } from './gemini.schemas';

const BY_STATUS: Record<string, ProviderErrorCode> = {
  INVALID_ARGUMENT: 'invalid_request',
  FAILED_PRECONDITION: 'invalid_request',
  OUT_OF_RANGE: 'invalid_request',
  UNAUTHENTICATED: 'auth',
  PERMISSION_DENIED: 'permission',
  NOT_FOUND: 'not_found',
  RESOURCE_EXHAUSTED: 'rate_limited',
  INTERNAL: 'server_error',
  UNKNOWN: 'server_error',
  UNAVAILABLE: 'overloaded',
  DEADLINE_EXCEEDED: 'timeout',
};

/** google.rpc.Code numbers, for per-item errors that carry only `code` (Cloud Vision). */
const RPC_STATUS: Record<number, string> = {
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  11: 'OUT_OF_RANGE',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};

function detail(status: GoogleStatus, type: string): Record<string, unknown> | undefined {
  return status.details?.find((d) => typeof d['@type'] === 'string' && d['@type'].endsWith(type));
}

/**
 * A Google API error (`{"error":{"code","message","status","details"}}`) in the gateway
 * taxonomy. A bad API key is a 400 with `ErrorInfo.reason: API_KEY_INVALID`; a 429's wait is
 * in `RetryInfo.retryDelay` ("1.5s").
 */
export function mapGoogleStatus(
  s: GoogleStatus,
  httpStatus: number | undefined,
  label: string,
  extra: Pick<ErrorResponse, 'rateLimit'> = { rateLimit: undefined },
): ProviderError {
  const statusName =
    s.status ?? (s.code !== undefined && !httpStatus ? RPC_STATUS[s.code] : undefined);
  const message = s.message ?? `HTTP ${httpStatus ?? s.code ?? '?'}`;
  let code: ProviderErrorCode =
    (statusName && BY_STATUS[statusName]) || codeForStatus(httpStatus ?? s.code ?? 500);
  const reason = detail(s, 'google.rpc.ErrorInfo')?.reason;
  if (reason === 'API_KEY_INVALID' || reason === 'API_KEY_EXPIRED') code = 'auth';
  else if (code === 'invalid_request' && looksLikeContextLength(message)) code = 'context_length';
  const retryDelay = detail(s, 'google.rpc.RetryInfo')?.retryDelay;
  const retryAfterMs =
    parseProtoDuration(typeof retryDelay === 'string' ? retryDelay : undefined) ??
    extra.rateLimit?.retryAfterMs;
  const rateLimit =
    retryAfterMs !== undefined ? { ...extra.rateLimit, retryAfterMs } : extra.rateLimit;
  return new ProviderError(code, `${label}: ${message}`, {
    ...(httpStatus !== undefined ? { status: httpStatus } : {}),
    ...(rateLimit ? { rateLimit } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

export function mapGeminiError(res: ErrorResponse, label: string): ProviderError {
  // Streaming endpoints wrap the error in a one-element array.
  const json = Array.isArray(res.json) ? res.json[0] : res.json;
  const parsed = GoogleErrorBody.safeParse(json);
  const status = parsed.success
    ? parsed.data.error
    : { message: res.text.slice(0, 300) || undefined };
  return mapGoogleStatus(status, res.status, label, res);
}

export function mapGeminiFinishReason(
  reason: string | undefined,
  calledTools: boolean,
): FinishReason {
  switch (reason) {
    case undefined:
    case 'STOP':
      return calledTools ? 'tool_calls' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content_filter';
    default:
      return 'error';
  }
}
