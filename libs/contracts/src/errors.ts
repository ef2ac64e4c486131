import { z } from 'zod';

/** Codes of the gateway's HTTP errors, each with its status. The README keeps this table. */
export const API_ERRORS = {
  validation_failed: 400,
  invalid_json: 400,
  invalid_webhook_url: 400,
  unsupported_media_type: 415,
  unauthenticated: 401,
  budget_exceeded: 402,
  forbidden: 403,
  not_found: 404,
  idempotency_conflict: 409,
  conflict: 409,
  payload_too_large: 413,
  residency_violation: 422,
  policy_violation: 422,
  no_route: 422,
  rate_limited: 429,
  queue_full: 503,
  unavailable: 503,
  internal_error: 500,
} as const;
export type ApiErrorCode = keyof typeof API_ERRORS;

export const ApiErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.unknown()).optional(),
    requestId: z.string(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** One taxonomy for every provider failure. */
export const PROVIDER_ERROR_CODES = [
  'rate_limited',
  'overloaded',
  'timeout',
  'auth',
  'permission',
  'invalid_request',
  'context_length',
  'content_filtered',
  'not_found',
  'quota_exhausted',
  'server_error',
  'network',
  'cancelled',
] as const;
export const ProviderErrorCode = z.enum(PROVIDER_ERROR_CODES);
export type ProviderErrorCode = z.infer<typeof ProviderErrorCode>;

/** The error stored on a failed job. */
export const JobError = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
});
export type JobError = z.infer<typeof JobError>;
