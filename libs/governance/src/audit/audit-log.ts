import type { AuditData } from '@gateway/contracts';
import { auditEvent } from '@gateway/events';
import type { Keys } from '@gateway/queue';
import type { RedisClient as Redis } from '@gateway/storage';

/** The audit fields a refusal or admin action supplies; the rest default to null. */
export type AuditInput = Pick<AuditData, 'action' | 'outcome'> & Partial<AuditData>;

/**
 * Audit events that belong to no stored job (auth failures, refusals, admin actions) go to
 * the outbox stream of shard 0, so the relay publishes them to `ai.audit.v1` like any other.
 * Writing to the outbox (not to Kafka directly) keeps them when Kafka is down.
 */
export class AuditLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async record(input: AuditInput, traceparent?: string): Promise<void> {
    const data: AuditData = {
      tenantId: null,
      actor: { type: 'system', id: null },
      jobId: null,
      task: null,
      deployment: null,
      region: null,
      reason: null,
      details: {},
      ...input,
    };
    const e = auditEvent(data, traceparent);
    await this.redis.xadd(this.keys.outbox(0), '*', 't', e.topic, 'k', e.key, 'v', e.value);
  }

  /** Like `record`, but a failure to audit never turns a refusal into a 500. */
  recordQuietly(input: AuditInput, traceparent?: string): void {
    this.record(input, traceparent).catch(() => undefined);
  }
}
