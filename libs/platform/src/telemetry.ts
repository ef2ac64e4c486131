import { initTracing, metrics, serveMetrics, shutdownTracing } from '@gateway/observability';
import type { GatewayContext } from './gateway-context';

/**
 * Telemetry of one app process: names its metrics, sets up tracing (OTLP export only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set) and, for apps without an HTTP API, serves `/metrics`
 * on METRICS_PORT when it is set.
 */
export async function startTelemetry(
  ctx: GatewayContext,
  opts: { serveMetrics: boolean },
): Promise<{ metricsPort: number | undefined; stop(): Promise<void> }> {
  metrics(ctx.app);
  initTracing(ctx.app, { otlpEndpoint: ctx.env.otlpEndpoint });
  const port = ctx.env.metricsPort;
  if (!opts.serveMetrics || port === undefined) {
    return { metricsPort: undefined, stop: shutdownTracing };
  }
  // A busy port costs the scrape endpoint, not the app: jobs matter more than metrics.
  const server = await serveMetrics(metrics(), port, ctx.env.host).catch((e: unknown) => {
    ctx.log.warn({ port, err: (e as Error).message }, 'metrics port unavailable; /metrics off');
    return undefined;
  });
  if (!server) return { metricsPort: undefined, stop: shutdownTracing };
  ctx.log.info({ port: server.port }, 'metrics served on /metrics');
  return {
    metricsPort: server.port,
    stop: async () => {
      await server.close();
      await shutdownTracing();
    },
  };
}
