import { GatewayContext } from '@gateway/platform';
import { createIngestApp } from './ingest-app';

/** The ingest API process: HTTP on HOST:PORT; SIGHUP reloads gateway.yaml. */
async function main(): Promise<void> {
  const ctx = new GatewayContext('ingest-api');
  const app = await createIngestApp(ctx);
  process.on('SIGHUP', () => ctx.reload());
  ctx.watchConfig();
  await app.listen({ host: ctx.env.host, port: ctx.env.port });
  ctx.log.info({ url: `http://${ctx.env.host}:${ctx.env.port}` }, 'ingest-api listening');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
