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
export function startWebhooks(
  ctx: GatewayContext,
  onEnded?: (data: { jobId: string; deliveryId: string }) => Promise<void>,
) {
  const keys = new WebhookKeys(ctx.keys.prefix);
  const endpoints = new WebhookEndpointStore(ctx.redis, keys, ctx.cipher);
  const queue = new WebhookDeliveryQueue(ctx.redis, keys);
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
    // Only job deliveries gate a job's payload drop; batch events have no job behind them.
    onEnded && ((data) => ('jobId' in data ? onEnded(data) : Promise.resolve())),
  );
  const worker = startDeliveryWorker({
    connection: ctx.redis,
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
