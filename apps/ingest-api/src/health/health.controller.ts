import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { GatewayContext } from '@gateway/platform';
import type { FastifyReply } from 'fastify';
import { GATEWAY_CONTEXT } from '../tokens';

/** Liveness and readiness: ready when Redis and Kafka both answer. */
@Controller()
export class HealthController {
  private kafkaOkUntil = 0;

  constructor(@Inject(GATEWAY_CONTEXT) private readonly ctx: GatewayContext) {}

  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(@Res({ passthrough: true }) reply: FastifyReply): Promise<Record<string, unknown>> {
    const [redis, kafka] = await Promise.all([this.redisOk(), this.kafkaOk()]);
    const failing = [!redis && 'redis', !kafka && 'kafka'].filter(Boolean);
    if (failing.length) {
      void reply.status(503).header('retry-after', '5');
      return { status: 'unavailable', failing, checks: { redis, kafka } };
    }
    return { status: 'ready', checks: { redis, kafka } };
  }

  private async redisOk(): Promise<boolean> {
    return withTimeout(
      this.ctx.redis.ping().then((r) => r === 'PONG'),
      1000,
    );
  }

  private async kafkaOk(): Promise<boolean> {
    // A successful describe is trusted for 2 s, so readiness probes don't hammer the broker.
    if (Date.now() < this.kafkaOkUntil) return true;
    const admin = this.ctx.kafka.admin();
    const ok = await withTimeout(
      admin
        .connect()
        .then(() => admin.describeCluster())
        .then((c) => c.brokers.length > 0)
        .finally(() => admin.disconnect()),
      3000,
    );
    if (ok) this.kafkaOkUntil = Date.now() + 2000;
    return ok;
  }
}

async function withTimeout(p: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.catch(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
