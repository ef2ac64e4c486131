import { Queue, type ConnectionOptions } from 'bullmq';
import type { RedisClient as Redis } from '@gateway/storage';
import {
  WEBHOOK_QUEUE,
  type BatchEventType,
  type JobEventType,
  type WebhookKeys,
} from './webhook-keys';

interface DeliveryBase {
  /** The Standard Webhooks message id (`webhook-id`); the same across retries and replays. */
  readonly deliveryId: string;
  readonly tenantId: string;
  readonly url: string;
  /** The tenant endpoint, or null for a job's own `webhook.url`. */
  readonly endpointId: string | null;
  /** 0 for the first run, n for the n-th replay. */
  readonly run: number;
}

/** A job event: the record is read at each attempt, so it is never copied into the queue. */
export interface JobDelivery extends DeliveryBase {
  readonly event: JobEventType;
  readonly jobId: string;
}

/** A batch event: the batch is final when it is scheduled, so the delivery carries it. */
export interface BatchDelivery extends DeliveryBase {
  readonly event: BatchEventType;
  readonly batchId: string;
  /** When the batch reached its final status (ISO 8601). */
  readonly timestamp: string;
  /** The batch object as `GET /v1/batches/:id` answers it. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** What a delivery job carries: enough to find the payload, the target and its secret. */
export type DeliveryJobData = JobDelivery | BatchDelivery;

/** The job or batch whose attempt list records a delivery. */
export const subjectOf = (d: DeliveryJobData): string => ('batchId' in d ? d.batchId : d.jobId);

/** Enqueues deliveries; BullMQ's job id makes scheduling the same delivery twice a no-op. */
export class WebhookDeliveryQueue {
  readonly queue: Queue<DeliveryJobData>;

  constructor(connection: ConnectionOptions, keys: WebhookKeys) {
    this.queue = new Queue<DeliveryJobData>(WEBHOOK_QUEUE, {
      connection,
      prefix: keys.bullPrefix(),
    });
    this.queue.on('error', () => undefined);
  }

  async enqueue(items: readonly DeliveryJobData[], attempts: number): Promise<void> {
    if (items.length === 0) return;
    await this.queue.addBulk(
      items.map((data) => ({
        name: data.event,
        data,
        opts: {
          jobId: data.run === 0 ? data.deliveryId : `${data.deliveryId}_r${data.run}`,
          attempts,
          backoff: { type: 'webhook-schedule' },
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/**
 * Deliveries ready to send or being sent, for the downstream backpressure bound. Retries
 * waiting out their delay are left out on purpose: one receiver that is down for hours must
 * not stop every worker of the gateway.
 */
export async function webhookBacklog(redis: Redis, keys: WebhookKeys): Promise<number> {
  const base = `${keys.bullPrefix()}:${WEBHOOK_QUEUE}`;
  const res = await redis
    .pipeline()
    .llen(`${base}:wait`)
    .llen(`${base}:active`)
    .zcard(`${base}:prioritized`)
    .exec();
  return (res ?? []).reduce((n, [, v]) => n + Number(v ?? 0), 0);
}

/** Deliveries by state, for the `gateway_webhook_backlog` gauge. */
export interface WebhookBacklogByState {
  /** Ready to send (waiting or prioritized). */
  readonly waiting: number;
  readonly active: number;
  /** Retries waiting out their backoff delay. */
  readonly delayed: number;
  /** Out of attempts, kept for an operator to replay. */
  readonly dead: number;
}

/**
 * Every delivery state: one pipeline over the queue's keys (one slot: the queue's tag) and the
 * dead index beside it (its own slot on a Redis Cluster), sent together.
 */
export async function webhookBacklogByState(
  redis: Redis,
  keys: WebhookKeys,
): Promise<WebhookBacklogByState> {
  const base = `${keys.bullPrefix()}:${WEBHOOK_QUEUE}`;
  const [res, dead] = await Promise.all([
    redis
      .pipeline()
      .llen(`${base}:wait`)
      .zcard(`${base}:prioritized`)
      .llen(`${base}:active`)
      .zcard(`${base}:delayed`)
      .exec(),
    redis.zcard(keys.deadIndex()),
  ]);
  const n = (i: number) => Number(res?.[i]?.[1] ?? 0);
  return { waiting: n(0) + n(1), active: n(2), delayed: n(3), dead };
}
