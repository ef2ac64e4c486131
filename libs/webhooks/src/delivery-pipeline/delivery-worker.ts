import { Worker, type ConnectionOptions } from 'bullmq';
import { nextAttemptDelayMs } from '../schedule';
import type { DeliveryProcessor, DeliverySettings } from './delivery-processor';
import type { DeliveryJobData } from './delivery-queue';
import { WEBHOOK_QUEUE, type WebhookKeys } from './webhook-keys';

/** Runs deliveries from the webhook queue; retry delays follow `webhooks.schedule`. */
export function startDeliveryWorker(opts: {
  connection: ConnectionOptions;
  keys: WebhookKeys;
  processor: DeliveryProcessor;
  settings: () => DeliverySettings;
  concurrency?: number;
  onError?: (err: Error) => void;
}): Worker<DeliveryJobData> {
  const worker = new Worker<DeliveryJobData>(
    WEBHOOK_QUEUE,
    async (job) => opts.processor.process(job.data, job.attemptsMade, job.opts.attempts ?? 1),
    {
      connection: opts.connection,
      prefix: opts.keys.bullPrefix(),
      concurrency: opts.concurrency ?? 32,
      settings: {
        // BullMQ passes the number of attempts made so far, the one that just failed included.
        backoffStrategy: (attemptsMade: number) =>
          nextAttemptDelayMs(attemptsMade, opts.settings().schedule) ?? 0,
      },
    },
  );
  worker.on('error', (e) => opts.onError?.(e));
  return worker;
}
