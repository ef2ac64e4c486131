import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { KeyStore, TenantStore } from '@gateway/governance';
import { GatewayContext, LiveStatsCache } from '@gateway/platform';
import { AdminController } from './admin/admin.controller';
import { AdminGuard } from './admin/admin.guard';
import { DocsController } from './docs/docs.controller';
import { HealthController } from './health/health.controller';
import { ApiKeyGuard } from './http/auth.guard';
import { JobsController } from './jobs/jobs.controller';
import { GOVERNANCE_CONTROLLERS, governanceProviders } from './governance.providers';
import { JobEventHub, JOB_EVENT_HUB } from './job-events/job-event-hub';
import { JobEventsController } from './job-events/job-events.controller';
import { WEBHOOK_API, WebhookApi } from './webhooks/webhook-api';
import { WebhooksAdminController } from './webhooks/webhooks-admin.controller';
import { WebhooksController } from './webhooks/webhooks.controller';
import { OPENAI_CONTROLLERS, openAiProviders } from './openai/openai.providers';
import { OPS_CONTROLLERS, opsProviders } from './ops/ops.providers';
import { SubmitJobUseCase, CancelJobUseCase, JobWaiter } from '@gateway/platform';
import {
  CANCEL_JOB,
  GATEWAY_CONTEXT,
  JOB_WAITER,
  KEY_STORE,
  SUBMIT_JOB,
  TENANT_STORE,
} from './tokens';

/** Wires the ingest API: the shared context, stores and use cases, and the controllers. */
@Module({})
export class IngestApiModule {
  static forContext(ctx: GatewayContext) {
    const keyStore = new KeyStore(ctx.redis, ctx.keys);
    const tenants = new TenantStore(ctx.redis, ctx.keys, () => ctx.config());
    // Routing reads live latency, error rate and queue depth from this background snapshot.
    const liveStats = new LiveStatsCache(
      ctx.redis,
      ctx.keys,
      ctx.queues,
      () => ctx.config(),
      ctx.log,
    );
    liveStats.start();
    return {
      module: IngestApiModule,
      // Health checks (/readyz) through terminus; its own error logging off: /readyz answers.
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [
        JobsController,
        AdminController,
        HealthController,
        DocsController,
        ...OPENAI_CONTROLLERS,
        ...OPS_CONTROLLERS,
        ...GOVERNANCE_CONTROLLERS,
        JobEventsController,
        WebhooksController,
        WebhooksAdminController,
      ],
      providers: [
        { provide: GATEWAY_CONTEXT, useValue: ctx },
        { provide: KEY_STORE, useValue: keyStore },
        { provide: KeyStore, useValue: keyStore },
        { provide: TENANT_STORE, useValue: tenants },
        { provide: SUBMIT_JOB, useValue: new SubmitJobUseCase(ctx, tenants, liveStats) },
        { provide: CANCEL_JOB, useValue: new CancelJobUseCase(ctx) },
        { provide: JOB_WAITER, useValue: new JobWaiter(ctx) },
        ...governanceProviders(ctx),
        ApiKeyGuard,
        AdminGuard,
        ...openAiProviders(ctx),
        ...opsProviders(ctx),
        { provide: JOB_EVENT_HUB, useValue: new JobEventHub(ctx) },
        { provide: WEBHOOK_API, useValue: new WebhookApi(ctx) },
      ],
    };
  }
}
