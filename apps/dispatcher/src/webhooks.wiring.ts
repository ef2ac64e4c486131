import type { GatewayContext } from '@gateway/platform';
import {
  DeliveryLog,
  DeliveryProcessor,
  DeliveryScheduler,
  startDeliveryWorker,
  WebhookDeliveryQueue,
  WebhookEndpointStore,
  WebhookKeys,
} from '@gateway/webhooks';

/** The dispatcher's webhook side: scheduling from results, and the delivery worker. */
export function startWebhooks(ctx: GatewayContext) {
  const keys = new WebhookKeys(ctx.keys.prefix);
  const endpoints = new WebhookEndpointStore(ctx.redis, keys, ctx.cipher);
  const queue = new WebhookDeliveryQueue(ctx.bullConnection, keys);
  const settings = () => ctx.config().webhooks;
  const scheduler = new DeliveryScheduler(
    ctx.store,
    endpoints,
    queue,
    () => settings().schedule.length + 1,
  );
  const processor = new DeliveryProcessor(
    ctx.store,
    endpoints,
    new DeliveryLog(ctx.redis, keys),
    settings,
  );
  const worker = startDeliveryWorker({
    connection: ctx.bullConnection,
    keys,
    processor,
    settings,
    onError: (e) => ctx.log.warn({ err: e.message }, 'webhook worker error'),
  });
  return {
    scheduler,
    async stop(): Promise<void> {
      await worker.close();
      await queue.close();
    },
  };
}
