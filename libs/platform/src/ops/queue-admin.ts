import { BackpressureKeys, OpsStore, type CallWindow } from '@gateway/queue';
import type { GatewayContext } from '../gateway-context';
import { GatewayError } from '../gateway-error';

/** One deployment queue as the ops page, the admin API and the CLI show it. */
export interface QueueStats {
  readonly deployment: string;
  readonly provider: string;
  readonly class: string;
  readonly paused: boolean;
  readonly counts: Readonly<
    Record<'waiting' | 'active' | 'delayed' | 'failed' | 'prioritized', number>
  >;
  readonly maxConcurrency: number;
  /** Adaptive limit and breaker from the shared backpressure state, when workers wrote one. */
  readonly limit: number | null;
  readonly inFlight: number | null;
  readonly breaker: string | null;
  readonly calls: CallWindow;
}

const EMPTY_WINDOW: CallWindow = {
  samples: 0,
  p50Ms: null,
  p95Ms: null,
  errorRate: null,
  perMinute: 0,
};

/** Reads and steers the deployment queues: stats, pause, resume, drain. */
export class QueueAdmin {
  readonly ops: OpsStore;
  private readonly bp: BackpressureKeys;

  constructor(private readonly ctx: GatewayContext) {
    this.ops = new OpsStore(ctx.redis, ctx.keys);
    this.bp = new BackpressureKeys(ctx.keys.prefix, ctx.keys.bullPrefix());
  }

  deploymentIds(): string[] {
    const disabled = new Set(this.ctx.config().disabled.map((d) => d.deployment));
    return this.ctx
      .config()
      .deployments.filter((d) => !disabled.has(d.id))
      .map((d) => d.id);
  }

  private known(id: string): void {
    if (!this.deploymentIds().includes(id)) {
      throw new GatewayError(
        'not_found',
        `No deployment "${id}"; known: ${this.deploymentIds().join(', ')}`,
      );
    }
  }

  async stats(ids = this.deploymentIds()): Promise<QueueStats[]> {
    const cfg = this.ctx.config();
    const windows = await this.ops.window(ids);
    const now = Date.now();
    return Promise.all(
      ids.map(async (id) => {
        const d = cfg.deploymentById.get(id)!;
        const q = this.ctx.queues.queue(id);
        const [counts, paused, state, inFlight] = await Promise.all([
          q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'),
          q.isPaused(),
          this.ctx.redis.hmget(this.bp.state(id), 'limit', 'breaker'),
          this.ctx.redis.zcount(this.bp.leases(id), now, '+inf'),
        ]);
        return {
          deployment: id,
          provider: d.provider,
          class: d.class,
          paused,
          counts: {
            waiting: counts.waiting ?? 0,
            active: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
            failed: counts.failed ?? 0,
            prioritized: counts.prioritized ?? 0,
          },
          maxConcurrency: d.limits.maxConcurrency,
          limit: state[0] ? Number(state[0]) : null,
          inFlight: state[0] || inFlight ? inFlight : null,
          breaker: state[1] ?? (state[0] ? 'closed' : null),
          calls: windows.get(id) ?? EMPTY_WINDOW,
        };
      }),
    );
  }

  /** Stops every worker from taking this deployment's jobs; running ones finish. */
  async pause(id: string): Promise<QueueStats> {
    this.known(id);
    await this.ctx.queues.queue(id).pause();
    this.ctx.log.info({ deployment: id }, 'queue paused by operator');
    return (await this.stats([id]))[0];
  }

  async resume(id: string): Promise<QueueStats> {
    this.known(id);
    await this.ctx.queues.queue(id).resume();
    this.ctx.log.info({ deployment: id }, 'queue resumed by operator');
    return (await this.stats([id]))[0];
  }

  /**
   * Maintenance drain: pauses the queue (waiting jobs stay queued) and waits up to
   * `waitSec` for the running ones to finish. `drained` says whether none is left running.
   */
  async drain(id: string, waitSec: number): Promise<QueueStats & { drained: boolean }> {
    this.known(id);
    const q = this.ctx.queues.queue(id);
    await q.pause();
    const deadline = Date.now() + waitSec * 1000;
    let active = await q.getActiveCount();
    while (active > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      active = await q.getActiveCount();
    }
    return { ...(await this.stats([id]))[0], drained: active === 0 };
  }
}
