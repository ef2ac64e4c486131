import { logProcessWarnings } from '@gateway/observability';
import { GatewayContext, onShutdown } from '@gateway/platform';
import { createIngestApp } from './ingest-app';

/** The ingest API process: HTTP on HOST:PORT; SIGHUP reloads gateway.yaml. */
async function main(): Promise<void> {
  const ctx = new GatewayContext('ingest-api');
  logProcessWarnings(ctx.log);
  const app = await createIngestApp(ctx);
  process.on('SIGHUP', () => ctx.reload());
  // Close with a deadline: with Redis unreachable, closing its clients would wait for a
  // reconnection that may never come, and the process must still leave on SIGTERM.
  onShutdown(ctx.log, 8_000, () => app.close());
  ctx.watchConfig();
  await app.listen({ host: ctx.env.host, port: ctx.env.port });
  ctx.log.info({ url: `http://${ctx.env.host}:${ctx.env.port}` }, 'ingest-api listening');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
