import type { AdminCredentials, JobGovernance, TenantStore } from '@gateway/governance';
import { startTelemetry, type GatewayContext, type QueueAdmin } from '@gateway/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ADMIN_CREDENTIALS, JOB_GOVERNANCE, TENANT_STORE } from '../tokens';
import { adminCheck } from './admin-session';
import { registerBullBoard } from './bull-board';
import { QUEUE_ADMIN } from './ops.tokens';
import { opsRoutes } from './ops-routes';

/**
 * The operating surface of the ingest API outside Nest's controllers: telemetry (metrics
 * names, tracing; the HTTP hooks are installed before Nest's middleware), the ops page with
 * its login, and the queue dashboard.
 */
export async function installOps(app: NestFastifyApplication, ctx: GatewayContext): Promise<void> {
  const telemetry = await startTelemetry(ctx, { serveMetrics: false });
  const fastify = app.getHttpAdapter().getInstance();
  const isAdmin = adminCheck(app.get<AdminCredentials>(ADMIN_CREDENTIALS));
  const queues = app.get<QueueAdmin>(QUEUE_ADMIN);
  const tenants = app.get<TenantStore>(TENANT_STORE);
  const gov = app.get<JobGovernance>(JOB_GOVERNANCE);
  await fastify.register(opsRoutes, { isAdmin, queues, tenants, gov });
  await registerBullBoard(fastify, ctx, queues, isAdmin);
  fastify.addHook('onClose', () => telemetry.stop());
}
