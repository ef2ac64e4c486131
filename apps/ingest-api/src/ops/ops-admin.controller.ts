import {
  Body,
  Controller,
  Delete,
  Headers,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import type { JobRecord } from '@gateway/contracts';
import {
  GatewayError,
  type CancelJobUseCase,
  type GatewayContext,
  type QueueAdmin,
  type QueueStats,
  type RetryJobUseCase,
  type RetryOutcome,
} from '@gateway/platform';
import type { FailedEntry } from '@gateway/queue';
import { z } from 'zod';
import { AdminGuard } from '../admin/admin.guard';
import { CANCEL_JOB, GATEWAY_CONTEXT } from '../tokens';
import { QUEUE_ADMIN, RETRY_JOB } from './ops.tokens';
import { validated } from '../http/validated';

const RetryBody = z.strictObject({
  all: z.boolean().optional(),
  deployment: z.string().min(1).optional(),
  code: z.string().min(1).optional(),
  tenantId: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
const FailuresQuery = z.strictObject({
  deployment: z.string().min(1).optional(),
  code: z.string().min(1).optional(),
  tenantId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const DrainQuery = z.strictObject({ wait: z.coerce.number().min(0).max(300).default(0) });

/** Operating the queues and jobs: stats, pause/resume/drain, failures, retry, admin job reads. */
@Controller('admin')
@UseGuards(AdminGuard)
export class OpsAdminController {
  constructor(
    @Inject(GATEWAY_CONTEXT) private readonly ctx: GatewayContext,
    @Inject(QUEUE_ADMIN) private readonly queues: QueueAdmin,
    @Inject(RETRY_JOB) private readonly retry: RetryJobUseCase,
    @Inject(CANCEL_JOB) private readonly cancel: CancelJobUseCase,
  ) {}

  @Get('queues/stats')
  async stats(): Promise<{ data: QueueStats[] }> {
    return { data: await this.queues.stats() };
  }

  @Post('deployments/:id/pause')
  @HttpCode(200)
  pause(@Param('id') id: string): Promise<QueueStats> {
    return this.queues.pause(id);
  }

  @Post('deployments/:id/resume')
  @HttpCode(200)
  resume(@Param('id') id: string): Promise<QueueStats> {
    return this.queues.resume(id);
  }

  @Post('deployments/:id/drain')
  @HttpCode(200)
  drain(@Param('id') id: string, @Query() q: unknown): Promise<QueueStats & { drained: boolean }> {
    return this.queues.drain(id, validated(DrainQuery, q, 'query string').wait);
  }

  @Get('failures')
  async failures(@Query() q: unknown): Promise<{ data: FailedEntry[] }> {
    return { data: await this.queues.ops.failures(validated(FailuresQuery, q, 'query string')) };
  }

  @Get('jobs/:id')
  async job(@Param('id') id: string): Promise<JobRecord> {
    const record = await this.ctx.store.get(id);
    if (!record) throw new GatewayError('not_found', `No job ${id}`);
    return record;
  }

  @Delete('jobs/:id')
  @HttpCode(200)
  async cancelJob(
    @Param('id') id: string,
    @Headers('traceparent') traceparent: string | undefined,
  ): Promise<JobRecord> {
    const record = await this.ctx.store.get(id);
    if (!record) throw new GatewayError('not_found', `No job ${id}`);
    return this.cancel.execute(
      { keyId: 'admin', tenantId: record.tenantId, scopes: new Set(['admin']) },
      id,
      'Cancelled by an operator',
      traceparent,
    );
  }

  @Post('jobs/:id/retry')
  @HttpCode(200)
  retryOne(@Param('id') id: string): Promise<JobRecord> {
    return this.retry.one(id);
  }

  /** Bulk retry: `{all: true}` or a filter (deployment, code, tenantId); newest first. */
  @Post('jobs/retry')
  @HttpCode(200)
  async retryMany(
    @Body() body: unknown,
  ): Promise<{ retried: number; skipped: number; data: RetryOutcome[] }> {
    const f = validated(RetryBody, body, 'request body');
    if (!f.all && !f.deployment && !f.code && !f.tenantId) {
      throw new GatewayError(
        'validation_failed',
        'Give a filter (deployment, code, tenantId) or {"all": true} to retry every failed job',
      );
    }
    const data = await this.retry.many(f);
    const retried = data.filter((d) => d.retried).length;
    return { retried, skipped: data.length - retried, data };
  }
}
