import type { ProviderErrorCode } from '@gateway/contracts';
import { ProviderError } from '../provider-error';
import { codeForStatus, looksLikeContextLength } from '../http/errors';
import { header, waitFromRateLimit } from '../http/rate-limit-headers';
import type { ErrorResponse } from '../http/vendor-client';
import { OpenAiErrorBody, type OpenAiErrorFields } from './openai.schemas';

/**
 * 429 codes that no wait lifts: credit used up, or a hard monthly spend limit of the
 * organization or project reached.
 */
const QUOTA_CODES: ReadonlySet<string> = new Set([
  'insufficient_quota',
  'organization_spend_limit_exceeded',
  'project_spend_limit_exceeded',
]);

/** The error fields of an OpenAI-shaped error body, whatever its version. */
export function openAiErrorFields(json: unknown): OpenAiErrorFields {
  const parsed = OpenAiErrorBody.safeParse(json);
  return parsed.success ? parsed.data.error : {};
}

/** "Please try again in 1.574s." (OpenAI), "Please retry after 86400 seconds." (Azure). */
export function retryHintInMessage(message: string | null | undefined): number | undefined {
  const m =
    message &&
    /(?:try again|retry after)(?: in)? (\d+(?:\.\d+)?)\s*(ms|s|sec|seconds?)\b/i.exec(message);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (m[2] === 'ms' ? 1 : 1000));
}

/** OpenAI's (and OpenAI-compatible servers') errors in the gateway taxonomy. */
export function mapOpenAiError(res: ErrorResponse, label: string): ProviderError {
  const e = openAiErrorFields(res.json);
  const code = e.code === null || e.code === undefined ? undefined : String(e.code);
  const message = e.message ?? (res.text.slice(0, 300) || `HTTP ${res.status}`);
  let taxonomy: ProviderErrorCode = codeForStatus(res.status);
  if (QUOTA_CODES.has(code ?? '') || e.type === 'insufficient_quota') taxonomy = 'quota_exhausted';
  else if (
    code === 'context_length_exceeded' ||
    (res.status === 400 && looksLikeContextLength(message))
  ) {
    taxonomy = 'context_length';
  } else if (code === 'content_filter' || code === 'content_policy_violation')
    taxonomy = 'content_filtered';
  else if (code === 'invalid_api_key') taxonomy = 'auth';
  else if (code === 'model_not_found') taxonomy = 'not_found';

  const waits = taxonomy === 'rate_limited' || taxonomy === 'overloaded';
  const retryAfterMs = waits
    ? (waitFromRateLimit(res.rateLimit) ?? retryHintInMessage(message))
    : res.rateLimit?.retryAfterMs;
  // x-should-retry is the vendor's explicit word on retrying, as its own SDK reads it.
  const shouldRetry = header(res.headers, 'x-should-retry');
  const retryable =
    taxonomy === 'quota_exhausted'
      ? false
      : shouldRetry === 'true'
        ? true
        : shouldRetry === 'false'
          ? false
          : undefined;
  return new ProviderError(taxonomy, `${label}: ${message}`, {
    status: res.status,
    rateLimit: res.rateLimit,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(retryable !== undefined ? { retryable } : {}),
  });
}

/** OpenAI's finish reasons in the gateway's vocabulary. */
export function mapOpenAiFinishReason(reason: string | null | undefined) {
  switch (reason) {
    case 'length':
      return 'length' as const;
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls' as const;
    case 'content_filter':
      return 'content_filter' as const;
    case 'stop':
    case null:
    case undefined:
      return 'stop' as const;
    default:
      return 'error' as const;
  }
}
