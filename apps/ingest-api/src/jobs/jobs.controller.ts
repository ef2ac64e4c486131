import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { JobStatus, type JobRecord } from '@gateway/contracts';
import { GatewayError, type GatewayContext } from '@gateway/platform';
import type { JobGovernance } from '@gateway/governance';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  ApiKeyGuard,
  CountedAtAdmission,
  countedSubmission,
  RequireScope,
  type AuthedRequest,
} from '../http/auth.guard';
import { setRateLimitHeaders } from '../http/rate-limit-headers';
import type { CancelJobUseCase, JobWaiter, SubmitJobUseCase } from '@gateway/platform';
import { CANCEL_JOB, GATEWAY_CONTEXT, JOB_GOVERNANCE, JOB_WAITER, SUBMIT_JOB } from '../tokens';
import { Inject } from '@nestjs/common';
import { tagRequestLog } from '../http/request-logging';
import { validated } from '../http/validated';

const ListQuery = z.strictObject({
  status: JobStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .regex(/^\d{1,16}(\.\d+)?$/)
    .optional(),
});

/** The job API: submit, read (with long-poll), list, cancel. */
@Controller('v1/jobs')
@UseGuards(ApiKeyGuard)
export class JobsController {
  constructor(
    @Inject(GATEWAY_CONTEXT) private readonly ctx: GatewayContext,
    @Inject(SUBMIT_JOB) private readonly submit: SubmitJobUseCase,
    @Inject(CANCEL_JOB) private readonly cancel: CancelJobUseCase,
    @Inject(JOB_WAITER) private readonly waiter: JobWaiter,
    @Inject(JOB_GOVERNANCE) private readonly gov: JobGovernance,
  ) {}

  @Post()
  @RequireScope('jobs:write')
  @CountedAtAdmission()
  async create(
    @Req() req: AuthedRequest,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('traceparent') traceparent: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobRecord> {
    const res = await countedSubmission(this.gov, req, reply, (requestCounted) => {
      if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
        throw new GatewayError(
          'validation_failed',
          'Idempotency-Key must be 1-255 visible ASCII characters',
        );
      }
      return this.submit.execute({
        principal: req.principal!,
        body,
        idempotencyKey,
        traceparent,
        requestCounted,
      });
    });
    tagRequestLog(req, {
      jobId: res.record.id,
      deployment: res.record.route.deployment,
    });
    setRateLimitHeaders(reply, [...(req.rateLimit ?? []), ...(res.rateLimit ?? [])]);
    void reply.status(res.created ? 202 : 200).header('location', `/v1/jobs/${res.record.id}`);
    return res.record;
  }

  @Get()
  @RequireScope('jobs:read')
  async list(
    @Req() req: AuthedRequest,
    @Query() query: unknown,
  ): Promise<{ data: JobRecord[]; nextCursor: string | null }> {
    const q = validated(ListQuery, query, 'query string');
    return this.ctx.store.list(req.principal!.tenantId, q);
  }

  @Get(':id')
  @RequireScope('jobs:read')
  async get(
    @Req() req: AuthedRequest,
    @Param('id') id: string,
    @Query() query: unknown,
  ): Promise<JobRecord> {
    tagRequestLog(req, { jobId: id });
    const max = this.ctx.config().jobs.maxWaitSeconds;
    const q = validated(
      z.strictObject({ wait: z.coerce.number().min(0).max(max).default(0) }),
      query,
      'query string',
    );
    const record = await this.ctx.store.get(id);
    if (!record || record.tenantId !== req.principal!.tenantId)
      throw new GatewayError('not_found', `No job ${id}`);
    return this.waiter.waitForTerminal(record, q.wait * 1000);
  }

  @Delete(':id')
  @HttpCode(200)
  @RequireScope('jobs:write')
  async remove(
    @Req() req: AuthedRequest,
    @Param('id') id: string,
    @Headers('traceparent') traceparent: string | undefined,
  ): Promise<JobRecord> {
    tagRequestLog(req, { jobId: id });
    return this.cancel.execute(req.principal!, id, undefined, traceparent);
  }
}
