import type { LoadedConfig } from '@gateway/config';
import type { Logger } from '@gateway/observability';
import {
  BackpressureKeys,
  BackpressureStatsReader,
  type JobQueues,
  type Keys,
} from '@gateway/queue';
import type { DeploymentStats, LiveStats } from '@gateway/routing';
import type { RedisClient as Redis } from '@gateway/storage';

/**
 * The routing engine's view of live numbers: latency EWMA, adaptive limit, calls in flight
 * and breaker state as the workers share them in Redis (the backpressure state), and queue
 * depth from BullMQ. Refreshed in the background; `get` never does I/O.
 */
export class LiveStatsCache implements LiveStats {
  private current = new Map<string, DeploymentStats>();
  private timer: NodeJS.Timeout | undefined;
  private readonly backpressure: BackpressureStatsReader;

  constructor(
    redis: Redis,
    keys: Keys,
    private readonly queues: JobQueues,
    private readonly config: () => LoadedConfig,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
  ) {
    this.backpressure = new BackpressureStatsReader(
      redis,
      new BackpressureKeys(keys.prefix, keys.bullPrefix()),
    );
  }

  get(deploymentId: string): DeploymentStats | undefined {
    return this.current.get(deploymentId);
  }

  start(): void {
    const tick = () => {
      this.refresh()
        .catch((e: unknown) =>
          this.log.warn({ err: (e as Error).message }, 'live stats refresh failed'),
        )
        .finally(() => {
          this.timer = setTimeout(tick, this.intervalMs);
          this.timer.unref();
        });
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  async refresh(): Promise<void> {
    const ids = this.config().deployments.map((d) => d.id);
    const [bp, depths] = await Promise.all([
      this.backpressure.snapshot(ids),
      Promise.all(ids.map((id) => this.queues.waitingCount(id).catch(() => 0))),
    ]);
    const next = new Map<string, DeploymentStats>();
    ids.forEach((id, i) => {
      const b = bp.get(id);
      next.set(id, {
        latencyEwmaMs: b?.latencyEwmaMs ?? undefined,
        queueDepth: depths[i],
        limit: b?.limit,
        inFlight: b?.inFlight,
        breaker: b?.breaker,
      });
    });
    this.current = next;
  }
}
