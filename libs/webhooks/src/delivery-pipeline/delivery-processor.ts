import type { JobStore } from '@gateway/queue';
import { deliverWebhook } from '../delivery';
import { signDelivery } from '../signing';
import { nextAttemptDelayMs } from '../schedule';
import type { DeliveryAttempt, DeliveryLog } from './delivery-log';
import { subjectOf, type DeliveryJobData } from './delivery-queue';
import { activeSecrets, type WebhookEndpointStore } from './endpoint-store';

/** Settings read per attempt, so a config reload applies to the next one. */
export interface DeliverySettings {
  readonly schedule: readonly number[];
  readonly timeoutMs: number;
  readonly allowHosts: readonly string[];
}

/** Thrown to make BullMQ retry the delivery after the schedule's next delay. */
export class RetryDelivery extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryDelivery';
  }
}

/** Refusals that another attempt cannot change: the URL itself is not allowed. */
const PERMANENT = new Set([
  'invalid_url',
  'scheme_not_allowed',
  'blocked_address',
  'record_expired',
]);

interface Outcome {
  readonly ok: boolean;
  readonly status?: number;
  readonly latencyMs: number;
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * Makes one delivery attempt, records it on the job, and decides what follows: done,
 * retry (by throwing RetryDelivery) or dead (kept for replay).
 */
export class DeliveryProcessor {
  constructor(
    private readonly store: JobStore,
    private readonly endpoints: WebhookEndpointStore,
    private readonly log: DeliveryLog,
    private readonly settings: () => DeliverySettings,
    /** Told when a delivery will not be tried again (delivered, dead or dropped). */
    private readonly onEnded?: (data: DeliveryJobData) => Promise<void>,
  ) {}

  async process(
    data: DeliveryJobData,
    attemptsMade: number,
    maxAttempts: number,
  ): Promise<DeliveryAttempt['outcome'] | 'dropped'> {
    const cfg = this.settings();
    const secrets = await this.secretsFor(data);
    // An endpoint deleted since scheduling no longer wants its events.
    if (secrets === null) {
      await this.onEnded?.(data);
      return 'dropped';
    }
    const body = await this.bodyOf(data);
    let result: Outcome;
    if (body === null) {
      result = {
        ok: false,
        latencyMs: 0,
        error: {
          code: 'record_expired',
          message: 'The job record has expired; nothing to deliver',
        },
      };
    } else {
      const headers = signDelivery({ id: data.deliveryId, timestamp: new Date(), body, secrets });
      result = await deliverWebhook({
        url: data.url,
        body,
        headers,
        timeoutMs: cfg.timeoutMs,
        allowHosts: cfg.allowHosts,
      });
    }
    const attempt = attemptsMade + 1;
    const last = attempt >= maxAttempts || nextAttemptDelayMs(attempt, cfg.schedule) === null;
    const permanent = !result.ok && PERMANENT.has(result.error?.code ?? '');
    const outcome = result.ok ? 'delivered' : permanent || last ? 'dead' : 'retrying';
    const entry: DeliveryAttempt = {
      deliveryId: data.deliveryId,
      url: redactUrl(data.url),
      endpointId: data.endpointId,
      event: data.event,
      attempt,
      run: data.run,
      at: new Date().toISOString(),
      status: result.status ?? null,
      latencyMs: result.latencyMs,
      outcome,
      error: result.error ?? null,
    };
    await this.log.recordAttempt(subjectOf(data), entry);
    if (outcome === 'dead') {
      await this.log.markDead({
        data,
        diedAt: entry.at,
        attempts: attempt,
        lastError: entry.error,
        lastStatus: entry.status,
      });
    }
    if (outcome === 'retrying') throw new RetryDelivery(result.error?.message ?? 'delivery failed');
    await this.onEnded?.(data);
    return outcome;
  }

  /** `{type, timestamp, data}`: a batch event carries its data, a job event reads the record. */
  private async bodyOf(data: DeliveryJobData): Promise<string | null> {
    if ('batchId' in data)
      return JSON.stringify({ type: data.event, timestamp: data.timestamp, data: data.data });
    const record = await this.store.get(data.jobId);
    return record
      ? JSON.stringify({ type: data.event, timestamp: record.finishedAt, data: record })
      : null;
  }

  private async secretsFor(data: DeliveryJobData): Promise<string[] | null> {
    if (data.endpointId === null)
      return activeSecrets(await this.endpoints.tenantSecret(data.tenantId));
    const ep = await this.endpoints.get(data.endpointId);
    return ep ? activeSecrets(ep) : null;
  }
}

/** Query strings may carry tokens; attempts show only scheme, host and path. */
function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
