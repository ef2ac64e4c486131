import { logProcessWarnings } from '@gateway/observability';
import { WebhookKeys, webhookBacklog } from '@gateway/webhooks';
import type { ProviderClass } from '@gateway/contracts';
import { ProviderRegistry } from '@gateway/providers';
import {
  CacheObserver,
  LogObserver,
  MetricsObserver,
  OpsObserver,
  OpsStore,
  ProcessJobUseCase,
  ResponseCache,
  WorkerHost,
} from '@gateway/queue';
import { BudgetLedger, GovKeys } from '@gateway/governance';
import { GatewayContext } from './gateway-context';
import { startBudgetSettlement } from './jobs/budget-settlement';
import { pseudonymVaultFor } from './jobs/governed';
import { GovernedOutput } from './jobs/output-guard';
import { onShutdown } from './shutdown';
import { startTelemetry } from './telemetry';

/** Starts the worker app of one provider class: its deployments' queues, with graceful stop. */
export async function runWorkerApp(
  cls: ProviderClass,
  ctx = new GatewayContext(`worker-${cls}`),
): Promise<{ stop(): Promise<void> }> {
  let registry = new ProviderRegistry(ctx.config());
  const settlement = startBudgetSettlement(ctx, new BudgetLedger(ctx.redis, new GovKeys(ctx.keys)));
  const useCase = new ProcessJobUseCase(
    ctx.store,
    ctx.queues,
    () => registry,
    () => ctx.config(),
    ctx.log,
    [
      new CacheObserver(new ResponseCache(ctx.redis, ctx.keys)),
      new MetricsObserver((id) => ctx.config().deploymentById.get(id)?.provider),
      new LogObserver(ctx.log),
      new OpsObserver(new OpsStore(ctx.redis, ctx.keys)),
      settlement.observer,
    ],
    new GovernedOutput(pseudonymVaultFor(ctx)),
  );
  const host = new WorkerHost(cls, ctx.redis, ctx.keys, ctx.queues, useCase, ctx.log);
  ctx.onReload((cfg) => {
    registry.reconfigure(cfg);
    host.sync(cfg);
  });
  // Deliveries waiting to go out count toward the downstream bound, like the outbox.
  const webhookKeys = new WebhookKeys(ctx.keys.prefix);
  host.addBacklogProbe(() => webhookBacklog(ctx.redis, webhookKeys));
  await host.start(ctx.config());
  const grace = ctx.config().jobs.shutdownGraceMs;
  const stop = async () => {
    await host.close(grace);
    settlement.stop();
    await registry.close();
    registry = new ProviderRegistry(ctx.config());
    await ctx.close();
  };
  return { stop };
}

/** The main of a worker app process. */
export function workerMain(cls: ProviderClass): void {
  const ctx = new GatewayContext(`worker-${cls}`);
  logProcessWarnings(ctx.log);
  process.on('SIGHUP', () => ctx.reload());
  ctx.watchConfig();
  startTelemetry(ctx, { serveMetrics: true })
    .then((telemetry) => runWorkerApp(cls, ctx).then(({ stop }) => ({ stop, telemetry })))
    .then(({ stop, telemetry }) => {
      onShutdown(ctx.log, ctx.config().jobs.shutdownGraceMs + 5000, async () => {
        await stop();
        await telemetry.stop();
      });
      ctx.log.info({ class: cls }, 'worker app ready');
    })
    .catch((e: unknown) => {
      ctx.log.fatal({ err: (e as Error).message }, 'worker app failed to start');
      process.exit(1);
    });
}
