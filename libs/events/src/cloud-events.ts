import { randomUUID } from 'node:crypto';
import type { AuditData, JobRecord, OutboxEntry } from '@gateway/contracts';

export const EVENT_SOURCE = 'urn:ai-gateway';

/** Largest result value sent inline; a larger output is left out of the event (kept on the record). */
const MAX_EVENT_BYTES = 900 * 1024;

/** The result event of a terminal job: its id is the job id, so consumers can drop duplicates. */
export function resultEvent(record: JobRecord, traceparent?: string): OutboxEntry {
  const ce = {
    specversion: '1.0',
    id: record.id,
    source: EVENT_SOURCE,
    type: `ai.job.${record.status}.v1`,
    subject: record.id,
    time: record.finishedAt ?? new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: 'schemas/events/result.v1.json',
    ...(traceparent ? { traceparent } : {}),
    data: record,
  };
  let value = JSON.stringify(ce);
  if (Buffer.byteLength(value) > MAX_EVENT_BYTES) {
    value = JSON.stringify({ ...ce, data: { ...record, output: null, outputOmitted: true } });
  }
  return { topic: 'results', key: record.correlationId ?? record.id, value };
}

/** An audit event: who, what, the decision, the outcome. Never payload values or secrets. */
export function auditEvent(data: AuditData, traceparent?: string): OutboxEntry {
  const ce = {
    specversion: '1.0',
    id: randomUUID(),
    source: EVENT_SOURCE,
    type: 'ai.audit.v1',
    subject: data.jobId ?? undefined,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: 'schemas/events/audit.v1.json',
    ...(traceparent ? { traceparent } : {}),
    data,
  };
  return { topic: 'audit', key: data.tenantId ?? 'anonymous', value: JSON.stringify(ce) };
}

/** Builds the audit data of a job decision with the fields every job event shares. */
export function jobAudit(
  action: AuditData['action'],
  record: JobRecord,
  outcome: string,
  extra: Partial<Pick<AuditData, 'reason' | 'details' | 'actor'>> = {},
): AuditData {
  return {
    action,
    tenantId: record.tenantId,
    actor: extra.actor ?? { type: 'system', id: null },
    jobId: record.id,
    task: record.task,
    deployment: record.route.deployment,
    region: record.route.region ?? null,
    reason: extra.reason ?? record.route.reason,
    outcome,
    details: extra.details ?? {},
  };
}
