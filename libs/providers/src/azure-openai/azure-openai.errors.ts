import { ProviderError } from '../provider-error';
import type { ErrorResponse } from '../http/vendor-client';
import { mapOpenAiError } from '../openai/openai.errors';

interface AzureInner {
  error?: { code?: unknown; innererror?: { code?: unknown } };
}

/**
 * Azure OpenAI errors: OpenAI's shape with string codes and no `type`. A content-filter
 * rejection is a 400 with `code: "content_filter"` (inner `ResponsibleAIPolicyViolation`).
 */
export function mapAzureOpenAiError(res: ErrorResponse, label: string): ProviderError {
  const e = (res.json as AzureInner | undefined)?.error;
  if (e?.code === 'content_filter' || e?.innererror?.code === 'ResponsibleAIPolicyViolation') {
    const mapped = mapOpenAiError(res, label);
    return new ProviderError('content_filtered', mapped.message, {
      status: res.status,
      retryable: false,
    });
  }
  if (e?.code === 'DeploymentNotFound') {
    const mapped = mapOpenAiError(res, label);
    return new ProviderError('not_found', mapped.message, { status: res.status, retryable: false });
  }
  return mapOpenAiError(res, label);
}
