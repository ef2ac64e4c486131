import { shardOf } from '@gateway/queue';

/** BullMQ queue of webhook deliveries; the braces keep its keys in one cluster slot. */
export const WEBHOOK_QUEUE = '{webhooks}';

/** Job events: a job's terminal status. */
export const JOB_EVENT_TYPES = ['job.succeeded', 'job.failed', 'job.cancelled'] as const;
/** OpenAI-façade batch events: a batch's terminal status. */
export const BATCH_EVENT_TYPES = [
  'batch.completed',
  'batch.failed',
  'batch.expired',
  'batch.cancelled',
] as const;
/** Event types a delivery (and an endpoint subscription) can carry. */
export const WEBHOOK_EVENT_TYPES = [...JOB_EVENT_TYPES, ...BATCH_EVENT_TYPES] as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];
export type BatchEventType = (typeof BATCH_EVENT_TYPES)[number];
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Redis key layout of the webhook feature, under the gateway's key prefix. */
export class WebhookKeys {
  constructor(readonly prefix: string) {}

  /** LIST of a job's (or batch's) delivery attempts (JSON); shares the job's shard tag. */
  attempts(subjectId: string): string {
    return `${this.prefix}:{s${shardOf(subjectId)}}:whatt:${subjectId}`;
  }
  /** STRING (JSON) of one tenant endpoint. */
  endpoint(id: string): string {
    return `${this.prefix}:wh:ep:${id}`;
  }
  /** SET of a tenant's endpoint ids. */
  tenantEndpoints(tenantId: string): string {
    return `${this.prefix}:wh:eps:${tenantId}`;
  }
  /** STRING (JSON) of the secret that signs a tenant's per-job webhooks. */
  tenantSecret(tenantId: string): string {
    return `${this.prefix}:wh:tsecret:${tenantId}`;
  }
  /** HASH deliveryId → dead delivery (JSON). */
  dead(): string {
    return `${this.prefix}:wh:dead`;
  }
  /** ZSET deliveryId by the time it died, for listing newest first. */
  deadIndex(): string {
    return `${this.prefix}:wh:deadidx`;
  }
  /** BullMQ prefix, the same one the job queues use. */
  bullPrefix(): string {
    return `${this.prefix}:bull`;
  }
}
