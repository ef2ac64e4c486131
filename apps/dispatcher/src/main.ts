import { OutboxRelay } from '@gateway/events';
import { GatewayContext, onShutdown } from '@gateway/platform';
import { SHARDS } from '@gateway/queue';

/** The dispatcher: relays the outbox to Kafka (webhooks and Kafka ingress join it here). */
async function main(): Promise<void> {
  const ctx = new GatewayContext('dispatcher');
  process.on('SIGHUP', () => ctx.reload());
  const producer = ctx.kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
  await connectWithRetry(() => producer.connect(), ctx);
  const streams = Array.from({ length: SHARDS }, (_, i) => ctx.keys.outbox(i));
  const relay = new OutboxRelay(ctx.redis, producer, streams, ctx.topics, ctx.log, {
    group: 'relay',
    consumer: 'relay-1',
  });
  await relay.start();
  ctx.log.info({ streams: streams.length }, 'dispatcher ready');
  onShutdown(ctx.log, 10_000, async () => {
    await relay.stop();
    await producer.disconnect().catch(() => undefined);
    await ctx.close();
  });
}

/** Kafka may still be starting: keep trying rather than crash-looping. */
async function connectWithRetry(connect: () => Promise<void>, ctx: GatewayContext): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await connect();
    } catch (e) {
      ctx.log.warn(
        { err: (e as Error).message, attempt: i + 1 },
        'Kafka not reachable yet; retrying',
      );
      await new Promise((r) => setTimeout(r, Math.min(5000, 500 * (i + 1))));
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
