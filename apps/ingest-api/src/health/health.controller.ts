import { Controller, Get, Inject, Res } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import type { GatewayContext } from '@gateway/platform';
import type { FastifyReply } from 'fastify';
import { GATEWAY_CONTEXT } from '../tokens';

/** What /readyz answers: the checks by name, and the failing ones named for the operator. */
export interface Readiness {
  readonly status: 'ready' | 'unavailable';
  readonly checks: { redis: boolean; kafka: boolean };
  readonly failing?: string[];
  readonly details: HealthCheckResult['details'];
}

/**
 * Liveness and readiness through @nestjs/terminus: ready when Redis and Kafka both answer;
 * otherwise 503 with `Retry-After` and the failing dependencies named.
 */
@Controller()
export class HealthController {
  private kafkaOkUntil = 0;

  constructor(
    @Inject(GATEWAY_CONTEXT) private readonly ctx: GatewayContext,
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
  ) {}

  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const result = await this.health
      .check([
        () =>
          this.indicators
            .check('redis')
            .attempt(() => this.redisPing())
            .withTimeout(1000),
        () =>
          this.indicators
            .check('kafka')
            .attempt(() => this.kafkaDescribe())
            .withTimeout(3000),
      ])
      .catch((e: unknown) => readResult(e));
    const up = (k: string) => result.details[k]?.status === 'up';
    const checks = { redis: up('redis'), kafka: up('kafka') };
    const failing = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([k]) => k);
    if (failing.length) {
      void reply.status(503).header('retry-after', '5');
      return { status: 'unavailable', failing, checks, details: result.details };
    }
    return { status: 'ready', checks, details: result.details };
  }

  private async redisPing(): Promise<void> {
    if ((await this.ctx.redis.ping()) !== 'PONG') throw new Error('Redis did not answer PONG');
  }

  private async kafkaDescribe(): Promise<void> {
    // A successful describe is trusted for 2 s, so readiness probes don't hammer the broker.
    if (Date.now() < this.kafkaOkUntil) return;
    const admin = this.ctx.kafka.admin();
    try {
      await admin.connect();
      const c = await admin.describeCluster();
      if (c.brokers.length === 0) throw new Error('Kafka cluster has no brokers');
      this.kafkaOkUntil = Date.now() + 2000;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** Terminus throws a 503 exception carrying the result; anything else is re-thrown. */
function readResult(e: unknown): HealthCheckResult {
  const res = (e as { getResponse?: () => unknown }).getResponse?.();
  if (res && typeof res === 'object' && 'details' in res) return res as HealthCheckResult;
  throw e;
}
