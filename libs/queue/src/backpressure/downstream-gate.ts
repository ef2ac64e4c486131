import type { RedisClient as Redis } from '@gateway/storage';
import { SHARDS, type Keys } from '../keys';

/** A source of downstream backlog (entries not yet delivered), e.g. webhook deliveries. */
export type BacklogProbe = () => Promise<number>;

/** The outbox backlog: entries of every shard's outbox stream not yet relayed to Kafka. */
export function outboxBacklog(redis: Redis, keys: Keys): BacklogProbe {
  return async () => {
    // One XLEN per shard (each its own Redis Cluster slot), in flight together.
    const lens = await Promise.all(
      Array.from({ length: SHARDS }, (_, s) => redis.xlen(keys.outbox(s))),
    );
    return lens.reduce((n, v) => n + v, 0);
  };
}

/**
 * Hysteresis over downstream backlogs: `blocked` turns on when any probe's sum passes the
 * high-water mark and off once it drains below the low-water mark. Workers stop taking jobs
 * while blocked, so a Kafka or webhook outage does not pile results up in Redis unboundedly.
 */
export class DownstreamGate {
  private blocked = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly probes: readonly BacklogProbe[],
    private readonly bounds: () => { high: number; low: number },
    private readonly onChange: (blocked: boolean, backlog: number) => void,
    private readonly intervalMs = 1000,
  ) {}

  get isBlocked(): boolean {
    return this.blocked;
  }

  /** One check; returns the backlog seen. */
  async check(): Promise<number> {
    const counts = await Promise.all(this.probes.map((p) => p().catch(() => 0)));
    const backlog = counts.reduce((a, b) => a + b, 0);
    const { high, low } = this.bounds();
    if (!this.blocked && backlog >= high) {
      this.blocked = true;
      this.onChange(true, backlog);
    } else if (this.blocked && backlog <= low) {
      this.blocked = false;
      this.onChange(false, backlog);
    }
    return backlog;
  }

  start(): void {
    const tick = () => {
      void this.check().finally(() => {
        this.timer = setTimeout(tick, this.intervalMs);
        this.timer.unref();
      });
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
