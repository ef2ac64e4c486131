import type { FinishReason, ProviderErrorCode } from '@gateway/contracts';
import { ProviderError } from '../provider-error';
import { codeForStatus, looksLikeContextLength } from '../http/errors';
import { header } from '../http/rate-limit-headers';
import type { ErrorResponse } from '../http/vendor-client';
import { BedrockErrorBody } from './bedrock.schemas';

/** By exception name, lower-cased: HTTP errors spell it `ThrottlingException`, stream events `throttlingException`. */
const BY_TYPE: Record<string, ProviderErrorCode> = {
  validationexception: 'invalid_request',
  accessdeniedexception: 'permission',
  unrecognizedclientexception: 'auth',
  invalidsignatureexception: 'auth',
  incompletesignatureexception: 'auth',
  expiredtokenexception: 'auth',
  missingauthenticationtokenexception: 'auth',
  resourcenotfoundexception: 'not_found',
  modeltimeoutexception: 'timeout',
  modelerrorexception: 'server_error',
  modelstreamerrorexception: 'server_error',
  throttlingexception: 'rate_limited',
  modelnotreadyexception: 'overloaded',
  servicequotaexceededexception: 'quota_exhausted',
  internalserverexception: 'server_error',
  serviceunavailableexception: 'overloaded',
};

const STATUS_OF_TYPE: Record<string, number> = {
  validationexception: 400,
  throttlingexception: 429,
  modelstreamerrorexception: 424,
  internalserverexception: 500,
  serviceunavailableexception: 503,
};

/** The HTTP status Bedrock documents for an exception met inside a stream. */
export function bedrockStatusOf(type: string): number {
  return STATUS_OF_TYPE[type.toLowerCase()] ?? 500;
}

/** The exception name: `x-amzn-ErrorType` up to its first `:`, else the body's `__type`. */
export function bedrockErrorType(res: Pick<ErrorResponse, 'headers' | 'json'>): string | undefined {
  const fromHeader = header(res.headers, 'x-amzn-errortype')?.split(':')[0]?.trim();
  if (fromHeader) return fromHeader;
  const parsed = BedrockErrorBody.safeParse(res.json);
  return parsed.success ? parsed.data.__type?.split('#').pop() : undefined;
}

/** Bedrock Runtime errors (type in `x-amzn-ErrorType`, `{"message"}` body) in the gateway taxonomy. */
export function mapBedrockError(res: ErrorResponse, label: string): ProviderError {
  const type = bedrockErrorType(res);
  const parsed = BedrockErrorBody.safeParse(res.json);
  const message =
    (parsed.success ? (parsed.data.message ?? parsed.data.Message) : undefined) ??
    (res.text.slice(0, 300) || `HTTP ${res.status}`);
  let code: ProviderErrorCode = (type && BY_TYPE[type.toLowerCase()]) || codeForStatus(res.status);
  if (code === 'invalid_request' && looksLikeContextLength(message)) code = 'context_length';
  const retryAfterMs = res.rateLimit?.retryAfterMs;
  return new ProviderError(code, `${label}: ${type ? `${type}: ` : ''}${message}`, {
    status: res.status,
    ...(res.rateLimit ? { rateLimit: res.rateLimit } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

export function mapBedrockStopReason(reason: string | undefined): FinishReason {
  switch (reason) {
    case undefined:
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return 'error';
  }
}
