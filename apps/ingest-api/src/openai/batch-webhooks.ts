import { scheduleBatchEvent, type BatchEventType } from '@gateway/webhooks';
import type { WebhookApi } from '../webhooks/webhook-api';
import type { BatchEvents } from './batch-runner';
import type { BatchStore, StoredBatch } from './batch-store';

/** The webhook event of each final batch status. */
const EVENT: Partial<Record<StoredBatch['status'], BatchEventType>> = {
  completed: 'batch.completed',
  failed: 'batch.failed',
  expired: 'batch.expired',
  cancelled: 'batch.cancelled',
};

/** Sends `batch.*` events to the tenant's subscribed endpoints with the batch as clients see it. */
export class BatchWebhooks implements BatchEvents {
  constructor(
    private readonly store: BatchStore,
    private readonly webhooks: WebhookApi,
  ) {}

  async finished(b: StoredBatch): Promise<void> {
    const event = EVENT[b.status];
    if (!event) throw new Error(`Batch ${b.id} is not final (${b.status})`);
    const at = b.completed_at ?? b.failed_at ?? b.expired_at ?? b.cancelled_at ?? b.created_at;
    await scheduleBatchEvent(
      this.webhooks.endpoints,
      this.webhooks.queue,
      this.webhooks.attempts(),
      {
        tenantId: b.tenantId,
        batchId: b.id,
        event,
        timestamp: new Date(at * 1000).toISOString(),
        data: await this.store.view(b),
      },
    );
  }
}
