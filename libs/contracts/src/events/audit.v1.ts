import { z } from 'zod';
import { CloudEvent } from './cloudevent';

export const AuditAction = z.enum([
  'job.accepted',
  'job.routed',
  'job.fallback',
  'job.succeeded',
  'job.failed',
  'job.cancelled',
  'auth.failed',
  'scope.denied',
  'rate.limited',
  'budget.refused',
  'budget.threshold',
  'pii.redacted',
  'residency.refused',
  'admin.action',
]);
export type AuditAction = z.infer<typeof AuditAction>;

/** Who did what, the decision and its outcome. Counts only: never input values or secrets. */
export const AuditData = z.object({
  action: AuditAction,
  tenantId: z.string().nullable(),
  actor: z.object({
    type: z.enum(['key', 'admin', 'system', 'anonymous']),
    id: z.string().nullable(),
  }),
  jobId: z.string().nullable(),
  task: z.string().nullable(),
  deployment: z.string().nullable(),
  region: z.string().nullable(),
  reason: z.string().nullable(),
  outcome: z.string(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type AuditData = z.infer<typeof AuditData>;

/** Value of an `ai.audit.v1` message. */
export const AuditEventV1 = CloudEvent(AuditData).extend({ type: z.literal('ai.audit.v1') });
export type AuditEventV1 = z.infer<typeof AuditEventV1>;
