import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { metrics } from '@gateway/observability';
import type { GatewayContext, QueueAdmin } from '@gateway/platform';
import { WebhookKeys, webhookBacklogByState } from '@gateway/webhooks';
import type { FastifyReply } from 'fastify';
import { GATEWAY_CONTEXT } from '../tokens';
import { QUEUE_ADMIN } from './ops.tokens';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;

/**
 * `GET /metrics`: the ingest's own metrics plus the queue and webhook backlog gauges, read
 * from Redis at scrape time (only here, so workers' scrapes don't repeat them).
 */
@Controller()
export class MetricsController {
  constructor(
    @Inject(QUEUE_ADMIN) private readonly queues: QueueAdmin,
    @Inject(GATEWAY_CONTEXT) ctx: GatewayContext,
  ) {
    const m = metrics();
    const webhookKeys = new WebhookKeys(ctx.keys.prefix);
    m.onCollect(async () => {
      const backlog = await webhookBacklogByState(ctx.redis, webhookKeys);
      for (const [state, n] of Object.entries(backlog)) m.webhookBacklog.set({ state }, n);
    });
    m.onCollect(async () => {
      const stats = await this.queues.stats();
      m.queueJobs.reset();
      for (const s of stats) {
        for (const state of STATES)
          m.queueJobs.set({ deployment: s.deployment, state }, s.counts[state]);
        m.queuePaused.set({ deployment: s.deployment }, s.paused ? 1 : 0);
        if (s.breaker)
          m.breakerState.set(
            { deployment: s.deployment },
            s.breaker === 'open' ? 2 : s.breaker === 'half-open' ? 1 : 0,
          );
      }
    });
  }

  @Get('metrics')
  @Header('cache-control', 'no-store')
  async metrics(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { contentType, body } = await metrics().render();
    void reply.header('content-type', contentType);
    return body;
  }
}
