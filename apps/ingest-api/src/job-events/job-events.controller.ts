import {
  type OnModuleDestroy,
  Controller,
  Get,
  Headers,
  Inject,
  Param,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { PseudonymVault } from '@gateway/governance';
import {
  GatewayError,
  pseudonymVaultFor,
  restorerFor,
  type GatewayContext,
} from '@gateway/platform';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiKeyGuard, RequireScope, type AuthedRequest } from '../http/auth.guard';
import { GATEWAY_CONTEXT } from '../tokens';
import { validated } from '../http/validated';
import { JOB_EVENT_HUB, type JobEventHub } from './job-event-hub';
import { streamJobEvents } from './job-event-stream';

const StreamQuery = z.strictObject({
  /** Seconds between heartbeat comments; proxies close streams idle for longer. */
  heartbeat: z.coerce.number().min(1).max(60).default(15),
});

/** `GET /v1/jobs/:id/events`: the job as Server-Sent Events. */
@Controller('v1/jobs')
@UseGuards(ApiKeyGuard)
export class JobEventsController implements OnModuleDestroy {
  private readonly vault: PseudonymVault;

  constructor(
    @Inject(GATEWAY_CONTEXT) private readonly ctx: GatewayContext,
    @Inject(JOB_EVENT_HUB) private readonly hub: JobEventHub,
  ) {
    this.vault = pseudonymVaultFor(ctx);
  }

  onModuleDestroy(): void {
    this.hub.close();
  }

  @Get(':id/events')
  @RequireScope('jobs:read')
  async events(
    @Req() req: AuthedRequest,
    @Param('id') id: string,
    @Query() query: unknown,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const q = validated(StreamQuery, query);
    const record = await this.ctx.store.get(id);
    if (!record || record.tenantId !== req.principal!.tenantId)
      throw new GatewayError('not_found', `No job ${id}`);
    const restore = await restorerFor(this.vault, record);
    // From here on the raw socket is ours; errors can no longer become JSON answers.
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': String(req.id),
    });
    raw.write('retry: 1000\n\n');
    const closed = new AbortController();
    raw.on('close', () => closed.abort());
    try {
      await streamJobEvents(this.ctx, this.hub, {
        jobId: id,
        lastEventId,
        heartbeatMs: q.heartbeat * 1000,
        write: (text) => {
          if (!raw.destroyed) raw.write(text);
        },
        closed: closed.signal,
        restore,
      });
    } catch (e) {
      this.ctx.log.warn({ err: (e as Error).message, jobId: id }, 'job event stream failed');
      if (!raw.destroyed) raw.write(`event: error\ndata: {"code":"internal_error"}\n\n`);
    } finally {
      raw.end();
    }
  }
}
