import { z } from 'zod';
import { JobError } from './errors';
import { TaskName } from './tasks.schema';

export const JobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatus>;
export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];
export const isTerminal = (s: JobStatus): boolean => TERMINAL_STATUSES.includes(s);

export const FallbackHop = z.object({
  from: z.string(),
  to: z.string(),
  error: JobError,
  at: z.string(),
});
export type FallbackHop = z.infer<typeof FallbackHop>;

export const RouteDecision = z.object({
  deployment: z.string(),
  provider: z.string(),
  model: z.string(),
  reason: z.string(),
  candidates: z.array(z.string()),
  fallbacks: z.array(FallbackHop),
  region: z.string().optional(),
  /** Whether a non-retryable error may still move the job to the next candidate (from the route). */
  fallbackOnNonRetryable: z.boolean().optional(),
});
export type RouteDecision = z.infer<typeof RouteDecision>;

export const Usage = z.object({ inputTokens: z.number(), outputTokens: z.number() });
export type Usage = z.infer<typeof Usage>;

/** The job record clients read, and the data of a result event. */
export const JobRecord = z.object({
  id: z.string(),
  tenantId: z.string(),
  task: TaskName,
  status: JobStatus,
  priority: z.enum(['high', 'normal', 'low']),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  attempts: z.number(),
  route: RouteDecision,
  cached: z.boolean(),
  output: z.unknown().nullable(),
  error: JobError.nullable(),
  usage: Usage.nullable(),
  costUsd: z.number().nullable(),
  timings: z
    .object({ queuedMs: z.number(), providerMs: z.number(), totalMs: z.number() })
    .nullable(),
  policy: z.object({
    /** PII found in the input, per type (counts only). */
    redactions: z.record(z.string(), z.number()),
    /** The PII policy applied to the input, when not `off` (the route's, else the tenant's). */
    input: z.enum(['redact', 'mask', 'block', 'pseudonymise']).optional(),
    /** The PII policy applied to the model's output before it was stored, when not `off`. */
    output: z.enum(['redact', 'mask', 'block']).optional(),
    /** PII found in the model's output, per type (counts only). */
    outputRedactions: z.record(z.string(), z.number()).optional(),
    /** Set when the tenant drops payloads once delivered: seconds kept after delivery. */
    dropAfterDeliverySec: z.number().optional(),
    /** When the input and output were dropped (the record keeps `output: null`). */
    payloadsDroppedAt: z.string().optional(),
  }),
  metadata: z.record(z.string(), z.unknown()),
  correlationId: z.string().nullable(),
});
export type JobRecord = z.infer<typeof JobRecord>;
