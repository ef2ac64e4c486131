import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import { ApiKeyGuard, RequireScope, type AuthedRequest } from '../http/auth.guard';
import { WEBHOOK_API, type WebhookApi } from '../webhooks/webhook-api';
import { BATCH_ENDPOINTS } from './batch-lines';
import { FINAL_STATUSES, type BatchStore, type StoredBatch } from './batch-store';
import { parseOpenAi } from './chat.mapper';
import { newId, type FileStore } from './file-store';
import { listLimit, OpenAiHttpError } from './openai-error';
import { OpenAiErrorFilter } from './openai-error.filter';
import { OPENAI_BATCHES, OPENAI_FILES } from './openai.tokens';

const CreateBatch = z.strictObject({
  input_file_id: z.string().min(1),
  endpoint: z.enum(BATCH_ENDPOINTS),
  /** OpenAI offers `24h`; any whole number of hours up to a week is honoured here. */
  completion_window: z.string().regex(/^([1-9]\d{0,2})h$/, 'a number of hours such as "24h"'),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullable().optional(),
});

/** `/v1/batches`: create, read (with live request counts), list, cancel, webhook attempts. */
@Controller('v1/batches')
@UseGuards(ApiKeyGuard)
@UseFilters(OpenAiErrorFilter)
export class BatchesController {
  constructor(
    @Inject(OPENAI_BATCHES) private readonly batches: BatchStore,
    @Inject(OPENAI_FILES) private readonly files: FileStore,
    @Inject(WEBHOOK_API) private readonly webhooks: WebhookApi,
  ) {}

  @Post()
  @HttpCode(200)
  @RequireScope('batches')
  async create(@Req() req: AuthedRequest, @Body() body: unknown) {
    const q = parseOpenAi(CreateBatch, body);
    const p = req.principal!;
    const hours = Number(q.completion_window.slice(0, -1));
    if (hours > 168)
      throw new OpenAiHttpError(
        400,
        'invalid_request_error',
        'invalid_request',
        'completion_window is at most 168h',
        'completion_window',
      );
    const file = await this.files.get(p.tenantId, q.input_file_id);
    if (file.purpose !== 'batch' || !file.lines)
      throw new OpenAiHttpError(
        400,
        'invalid_request_error',
        'invalid_request',
        'The input file was not uploaded with purpose "batch"',
        'input_file_id',
      );
    const now = Math.floor(Date.now() / 1000);
    const b: StoredBatch = {
      id: newId('batch').replace('-', '_'),
      object: 'batch',
      endpoint: q.endpoint,
      errors: null,
      input_file_id: file.id,
      completion_window: q.completion_window,
      status: 'validating',
      output_file_id: null,
      error_file_id: null,
      created_at: now,
      in_progress_at: null,
      expires_at: now + hours * this.batches.ctx.env.batchHourSeconds,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      metadata: q.metadata ?? null,
      tenantId: p.tenantId,
      keyId: p.keyId,
      scopes: [...p.scopes],
      cursor: 0,
      offset: 0,
    };
    await this.batches.create(b, file.lines);
    return this.batches.view(b);
  }

  @Get()
  @RequireScope('batches')
  async list(
    @Req() req: AuthedRequest,
    @Query('limit') limit: string | undefined,
    @Query('after') after: string | undefined,
  ) {
    const n = listLimit(limit, 20, 100);
    const found = await this.batches.list(req.principal!.tenantId, n + 1, after);
    const data = await Promise.all(found.slice(0, n).map((b) => this.batches.view(b)));
    return {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: found.length > n,
    };
  }

  @Get(':id')
  @RequireScope('batches')
  async get(@Req() req: AuthedRequest, @Param('id') id: string) {
    return this.batches.view(await this.batches.get(req.principal!.tenantId, id));
  }

  /** Every delivery attempt of the batch's `batch.*` webhook events. */
  @Get(':id/webhooks')
  @RequireScope('batches')
  async webhookAttempts(@Req() req: AuthedRequest, @Param('id') id: string) {
    const b = await this.batches.get(req.principal!.tenantId, id);
    return { object: 'list', data: await this.webhooks.log.attempts(b.id) };
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireScope('batches')
  async cancel(@Req() req: AuthedRequest, @Param('id') id: string) {
    const b = await this.batches.get(req.principal!.tenantId, id);
    if (FINAL_STATUSES.has(b.status) || b.status === 'finalizing')
      throw new OpenAiHttpError(
        409,
        'invalid_request_error',
        'conflict',
        `Batch ${id} is already ${b.status}`,
      );
    if (b.status !== 'cancelling') {
      // Only the status moves here; the runner stops the jobs and writes the files.
      await this.batches.requestCancel(b.id, Math.floor(Date.now() / 1000));
    }
    return this.batches.view((await this.batches.load(b.id)) ?? b);
  }
}
