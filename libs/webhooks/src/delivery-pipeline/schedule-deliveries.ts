import { isTerminal, type JobRecord } from '@gateway/contracts';
import type { JobStore } from '@gateway/queue';
import type { WebhookEndpoint, WebhookEndpointStore } from './endpoint-store';
import type { BatchDelivery, JobDelivery, WebhookDeliveryQueue } from './delivery-queue';
import type { BatchEventType, JobEventType } from './webhook-keys';

/** The fields of a result CloudEvent's job record that scheduling needs. */
type ResultHead = Pick<JobRecord, 'id' | 'tenantId' | 'status'>;

function parseResult(value: string): ResultHead | null {
  try {
    const ce = JSON.parse(value) as { data?: Partial<ResultHead> };
    const d = ce.data;
    if (!d || typeof d.id !== 'string' || typeof d.tenantId !== 'string' || !d.status) return null;
    return isTerminal(d.status) ? { id: d.id, tenantId: d.tenantId, status: d.status } : null;
  } catch {
    return null;
  }
}

/**
 * Turns terminal jobs into webhook deliveries: the job's own `webhook.url`, plus every
 * endpoint of its tenant subscribed to the event type. Runs on the relay's result entries
 * before they are acknowledged, so a crash in between schedules them again (the delivery
 * id is the BullMQ job id, so that is a no-op).
 */
export class DeliveryScheduler {
  constructor(
    private readonly store: JobStore,
    private readonly endpoints: WebhookEndpointStore,
    private readonly queue: WebhookDeliveryQueue,
    private readonly attempts: () => number,
  ) {}

  /** Schedules the deliveries of a batch of result events; returns what it scheduled. */
  async scheduleFromResults(values: readonly string[]): Promise<JobDelivery[]> {
    const heads = values.map(parseResult).filter((h): h is ResultHead => h !== null);
    if (heads.length === 0) return [];
    const byTenant = new Map<string, Promise<WebhookEndpoint[]>>();
    const endpointsOf = (tenantId: string) => {
      let p = byTenant.get(tenantId);
      if (!p) byTenant.set(tenantId, (p = this.endpoints.list(tenantId)));
      return p;
    };
    for (const h of heads) void endpointsOf(h.tenantId).catch(() => undefined);
    // A job's hash tells whether its request names a webhook: only those requests are read.
    const marked = await this.store.webhookRequested(heads.map((h) => h.id));
    const perJob = await Promise.all(
      heads.map(async (h, i): Promise<JobDelivery[]> => {
        const event = `job.${h.status}` as JobEventType;
        const [request, eps] = await Promise.all([
          marked[i] === false ? null : this.store.getRequest(h.id),
          endpointsOf(h.tenantId),
        ]);
        const base = { jobId: h.id, tenantId: h.tenantId, event, run: 0 };
        const out: JobDelivery[] = [];
        if (request?.webhook) {
          out.push({
            ...base,
            deliveryId: `msg_${h.id}_job`,
            url: request.webhook.url,
            endpointId: null,
          });
        }
        for (const ep of eps) {
          if (!ep.events.includes(event)) continue;
          out.push({ ...base, deliveryId: `msg_${h.id}_${ep.id}`, url: ep.url, endpointId: ep.id });
        }
        return out;
      }),
    );
    const items = perJob.flat();
    await this.queue.enqueue(items, this.attempts());
    return items;
  }
}

/**
 * Schedules a batch event to every endpoint of the batch's tenant subscribed to it. The
 * caller does this before it stores the final status, so a crash in between schedules it
 * again; the delivery id (batch and endpoint) makes that a no-op while it is pending.
 */
export async function scheduleBatchEvent(
  endpoints: WebhookEndpointStore,
  queue: WebhookDeliveryQueue,
  attempts: number,
  ev: {
    tenantId: string;
    batchId: string;
    event: BatchEventType;
    timestamp: string;
    data: Record<string, unknown>;
  },
): Promise<number> {
  const items: BatchDelivery[] = (await endpoints.list(ev.tenantId))
    .filter((ep) => ep.events.includes(ev.event))
    .map((ep) => ({
      ...ev,
      deliveryId: `msg_${ev.batchId}_${ep.id}`,
      url: ep.url,
      endpointId: ep.id,
      run: 0,
    }));
  await queue.enqueue(items, attempts);
  return items.length;
}
