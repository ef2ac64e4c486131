import { collectIngressLag, OutboxRelay, RequestIngress } from '@gateway/events';
import { BudgetLedger, GovKeys, KeyStore, TenantStore } from '@gateway/governance';
import { logProcessWarnings, metrics } from '@gateway/observability';
import {
  GatewayContext,
  LiveStatsCache,
  onShutdown,
  startBudgetSettlement,
  startTelemetry,
  SubmitJobUseCase,
} from '@gateway/platform';
import { DeliveredPayloads, RetentionSweeper, SHARDS } from '@gateway/queue';
import { createIngressHandler } from './ingress-handler';
import { startWebhooks } from './webhooks.wiring';

/** The dispatcher: relays the outbox to Kafka, delivers webhooks, takes Kafka requests. */
async function main(): Promise<void> {
  const ctx = new GatewayContext('dispatcher');
  logProcessWarnings(ctx.log);
  process.on('SIGHUP', () => ctx.reload());
  // Kafka requests are routed here: new routes apply on a file change as on SIGHUP.
  ctx.watchConfig();
  const telemetry = await startTelemetry(ctx, { serveMetrics: true });
  const producer = ctx.kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
  await connectWithRetry(() => producer.connect(), ctx);
  // Tenants that drop payloads once delivered: the relay and the webhook worker report delivery.
  const delivered = new DeliveredPayloads(ctx.redis, ctx.keys, ctx.store, ctx.log, () =>
    Math.round(ctx.config().jobs.retentionDays * 86400),
  );
  const webhooks = startWebhooks(ctx, (d) => delivered.deliveryEnded(d.jobId, d.deliveryId));
  const streams = Array.from({ length: SHARDS }, (_, i) => ctx.keys.outbox(i));
  const relay = new OutboxRelay(ctx.redis, producer, streams, ctx.topics, ctx.log, {
    group: 'relay',
    // Replicas relay side by side; a dead one's unacknowledged entries are claimed by the rest.
    consumer: `relay-${ctx.env.instanceId}`,
    claimIdleMs: ctx.config().kafka.relayClaimIdleMs,
    lingerMs: ctx.config().kafka.relayLingerMs,
    beforePublish: async (results) =>
      delivered.scheduled(results, await webhooks.scheduler.scheduleFromResults(results)),
    afterPublish: (results) => delivered.relayed(results),
  });
  await relay.start();
  metrics().onCollect(async () => metrics().outboxBacklog.set(await relay.backlog()));

  const keyStore = new KeyStore(ctx.redis, ctx.keys);
  await keyStore.listen();
  const tenants = new TenantStore(ctx.redis, ctx.keys, () => ctx.config());
  // Kafka requests are routed on the same live stats (breakers, latency, load) as HTTP ones.
  const liveStats = new LiveStatsCache(
    ctx.redis,
    ctx.keys,
    ctx.queues,
    () => ctx.config(),
    ctx.log,
  );
  liveStats.start();
  const groupId = `${ctx.env.topicPrefix}ai-gateway-ingress`;
  const ingress = new RequestIngress(
    ctx.kafka,
    ctx.topics,
    ctx.log,
    createIngressHandler(keyStore, new SubmitJobUseCase(ctx, tenants, liveStats)),
    { groupId },
  );
  await connectWithRetry(() => ingress.start(), ctx);
  const ingressLag = collectIngressLag(ctx.kafka, ctx.topics.requests, groupId, metrics());
  // Records expire by TTL; large payload blobs and tenant job indexes are swept hourly.
  const sweeper = new RetentionSweeper(ctx.redis, ctx.keys, ctx.blobs, () =>
    Math.round(ctx.config().jobs.retentionDays * 86400),
  );
  sweeper.start();
  delivered.start();
  // Jobs from Kafka ingress settle their budget even when no ingest API runs.
  const settlement = startBudgetSettlement(ctx, new BudgetLedger(ctx.redis, new GovKeys(ctx.keys)));
  ctx.log.info({ streams: streams.length }, 'dispatcher ready');
  onShutdown(ctx.log, 10_000, async () => {
    sweeper.stop();
    delivered.stop();
    settlement.stop();
    await ingress.stop();
    liveStats.stop();
    await ingressLag.stop();
    await relay.stop();
    await webhooks.stop();
    await producer.disconnect().catch(() => undefined);
    await keyStore.close();
    await telemetry.stop();
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
