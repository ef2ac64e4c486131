import type { LoadedConfig } from '@gateway/config';
import type { Logger } from '@gateway/observability';
import {
  BackpressureKeys,
  BackpressureStatsReader,
  DeploymentStatsStore,
  type JobQueues,
  type Keys,
} from '@gateway/queue';
import type { DeploymentStats, LiveStats } from '@gateway/routing';

/**
 * The routing engine's view of live numbers: latency EWMA and error rate from the workers'
 * shared stats, queue depth from BullMQ. Refreshed in the background; `get` never does I/O.
 */
export class LiveStatsCache implements LiveStats {
  private current = new Map<string, DeploymentStats>();
  private timer: NodeJS.Timeout | undefined;
  private readonly backpressure: BackpressureStatsReader;

  constructor(
    keys: Keys,
    private readonly stats: DeploymentStatsStore,
    private readonly queues: JobQueues,
    private readonly config: () => LoadedConfig,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
  ) {
    this.backpressure = new BackpressureStatsReader(
      stats.redisClient,
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
    const [calls, bp, depths] = await Promise.all([
      this.stats.snapshot(ids),
      this.backpressure.snapshot(ids),
      Promise.all(ids.map((id) => this.queues.waitingCount(id).catch(() => 0))),
    ]);
    const next = new Map<string, DeploymentStats>();
    ids.forEach((id, i) => {
      const c = calls.get(id);
      const b = bp.get(id);
      next.set(id, {
        latencyEwmaMs: c?.latencyEwmaMs,
        errorRate: c?.errorRate,
        queueDepth: depths[i],
        // Adaptive limit, calls in flight and breaker state shared by the workers.
        limit: b?.limit,
        inFlight: b?.inFlight,
        breaker: b?.breaker,
      });
    });
    this.current = next;
  }
}
