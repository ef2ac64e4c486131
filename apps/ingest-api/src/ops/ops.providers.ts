import type { Provider } from '@nestjs/common';
import { QueueAdmin, RetryJobUseCase, type GatewayContext } from '@gateway/platform';
import { MetricsController } from './metrics.controller';
import { OpsAdminController } from './ops-admin.controller';
import { QUEUE_ADMIN, RETRY_JOB } from './ops.tokens';

/** Controllers of the operating surface: `/metrics` and the queue/job admin API. */
export const OPS_CONTROLLERS = [MetricsController, OpsAdminController];

export function opsProviders(ctx: GatewayContext): Provider[] {
  const queues = new QueueAdmin(ctx);
  return [
    { provide: QUEUE_ADMIN, useValue: queues },
    { provide: RETRY_JOB, useValue: new RetryJobUseCase(ctx, queues.ops) },
  ];
}
