import { GatewayError, type GatewayContext } from '@gateway/platform';
import {
  DeliveryLog,
  vetWebhookUrl,
  WebhookDeliveryQueue,
  WebhookEndpointStore,
  WebhookKeys,
} from '@gateway/webhooks';

/** Injection token of the webhook services the HTTP layer uses. */
export const WEBHOOK_API = Symbol('WebhookApi');

/** The webhook stores and queue, built once per process from the context. */
export class WebhookApi {
  readonly endpoints: WebhookEndpointStore;
  readonly log: DeliveryLog;
  readonly queue: WebhookDeliveryQueue;

  constructor(readonly ctx: GatewayContext) {
    const keys = new WebhookKeys(ctx.keys.prefix);
    this.endpoints = new WebhookEndpointStore(ctx.redis, keys, ctx.cipher);
    this.log = new DeliveryLog(ctx.redis, keys);
    this.queue = new WebhookDeliveryQueue(ctx.redis, keys);
  }

  /** Attempts a delivery may make: one plus one per delay of `webhooks.schedule`. */
  attempts(): number {
    return this.ctx.config().webhooks.schedule.length + 1;
  }

  /** The SSRF guard, with the same refusal as job submission. */
  async vet(url: string): Promise<void> {
    const vet = await vetWebhookUrl(url, { allowHosts: this.ctx.config().webhooks.allowHosts });
    if (!vet.ok)
      throw new GatewayError('invalid_webhook_url', vet.message, [{ path: 'url', code: vet.code }]);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
