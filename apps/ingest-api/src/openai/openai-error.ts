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

/** The OpenAI-compatible routes: every refusal on them answers in OpenAI's shape. */
const OPENAI_PATH = /^\/v1\/(?:chat\/completions|embeddings|models|files|batches)(?:[/?]|$)/;
export const isOpenAiPath = (url: string): boolean => OPENAI_PATH.test(url);

/** A refusal as the gateway classified it (status, code, message, details, Retry-After). */
export interface ClassifiedError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly details?: unknown[];
  readonly retryAfter?: number;
}

/** The gateway's refusal in OpenAI's terms: the first detail's path becomes `param`. */
export function fromClassified(c: ClassifiedError): OpenAiHttpError {
  const first: unknown = c.details?.[0];
  const path =
    first && typeof first === 'object' ? (first as Record<string, unknown>).path : undefined;
  const param = typeof path === 'string' && path ? path : null;
  const message =
    c.details && c.details.length
      ? `${c.message}: ${c.details
          .slice(0, 5)
          .map((d) => JSON.stringify(d))
          .join('; ')}`
      : c.message;
  return new OpenAiHttpError(
    c.status,
    openAiErrorType(c.status),
    openAiCode(c.code),
    message,
    param,
    c.retryAfter,
  );
}

/** A list route's `limit`: absent → `fallback`; else a whole number in 1..`max`, or a 400. */
export function listLimit(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new OpenAiHttpError(
      400,
      'invalid_request_error',
      'invalid_request',
      `limit must be a whole number from 1 to ${max}`,
      'limit',
    );
  return n;
}

export function errorBody(e: OpenAiHttpError): OpenAiErrorBody {
  return { error: { message: e.message, type: e.type, param: e.param, code: e.code } };
}
