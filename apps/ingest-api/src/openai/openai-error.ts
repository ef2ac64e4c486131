import type { JobError } from '@gateway/contracts';

/** OpenAI's error body: all four keys present, `param` and `code` may be null. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** A failure the façade answers in OpenAI's shape with its own status. */
export class OpenAiHttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string | null,
    message: string,
    readonly param: string | null = null,
    readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = 'OpenAiHttpError';
  }
}

/** OpenAI's error `type` for a status: the SDK picks its error class by status alone. */
export function openAiErrorType(status: number): string {
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 401 || status === 403 || status === 404 || status < 500)
    return 'invalid_request_error';
  return 'server_error';
}

/** Gateway codes that have an established OpenAI counterpart. */
const CODE_MAP: Record<string, string> = {
  unauthenticated: 'invalid_api_key',
  rate_limited: 'rate_limit_exceeded',
  validation_failed: 'invalid_request',
};

export function openAiCode(code: string): string {
  return CODE_MAP[code] ?? code;
}

/** How a failed job answers: the provider's failure mapped to a status a client can act on. */
const JOB_FAILURES: Record<string, number> = {
  rate_limited: 429,
  quota_exhausted: 429,
  overloaded: 503,
  timeout: 504,
  invalid_request: 400,
  context_length: 400,
  content_filtered: 400,
  not_found: 404,
  cancelled: 409,
  // The gateway's own upstream credentials failing is not the caller's key's fault.
  auth: 502,
  permission: 502,
  server_error: 502,
  network: 502,
};

export function jobFailure(error: JobError | null, jobId: string): OpenAiHttpError {
  const code = error?.code ?? 'server_error';
  const status = JOB_FAILURES[code] ?? 502;
  const message = `${error?.message ?? 'The job failed'} (job ${jobId})`;
  return new OpenAiHttpError(
    status,
    openAiErrorType(status),
    code === 'context_length' ? 'context_length_exceeded' : code,
    message,
  );
}

export function errorBody(e: OpenAiHttpError): OpenAiErrorBody {
  return { error: { message: e.message, type: e.type, param: e.param, code: e.code } };
}
