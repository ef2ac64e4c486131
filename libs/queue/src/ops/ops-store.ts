import type { JobRecord } from '@gateway/contracts';
import { getMany, type RedisClient as Redis } from '@gateway/storage';
import type { Keys } from '../keys';

/** Recent provider calls kept per deployment for percentiles and error rates. */
const SAMPLES = 200;
/** Failed jobs remembered for the ops page and bulk retry. */
const FAILED_CAP = 10_000;

/** What the ops page shows of a deployment's recent calls. */
export interface CallWindow {
  readonly samples: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly errorRate: number | null;
  /** Calls finished in the last minute. */
  readonly perMinute: number;
}

/** A failed job as the ops page and the retry API list it. */
export interface FailedEntry {
  readonly jobId: string;
  readonly tenantId: string;
  readonly deployment: string;
  readonly code: string;
  readonly failedAt: string;
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null;

/**
 * Operational memory shared through Redis: a capped list of recent provider calls per
 * deployment (latency percentiles, error rate, drain rate) and an index of failed jobs
 * (recent failures, retry by filter). Workers write, the ingest's ops routes read.
 */
export class OpsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  private calls(deploymentId: string): string {
    return `${this.keys.prefix}:ops:calls:${deploymentId}`;
  }
  private failed(): string {
    return `${this.keys.prefix}:ops:failed`;
  }

  /** Calls waiting for the write in flight, per deployment, oldest first. */
  private pending = new Map<string, string[]>();
  private waiters: { resolve(): void; reject(e: unknown): void }[] = [];
  private writing = false;

  /**
   * One provider call: `<endMs>:<latencyMs>:<1 ok | 0 error>`, newest first. Calls that end
   * while a write is with Redis go together in the next one (one LPUSH per deployment), so a
   * busy worker does not pay a transaction per call. Resolves once the call is stored.
   */
  recordCall(deploymentId: string, latencyMs: number, ok: boolean): Promise<void> {
    const list = this.pending.get(deploymentId) ?? [];
    list.push(`${Date.now()}:${Math.round(latencyMs)}:${ok ? 1 : 0}`);
    this.pending.set(deploymentId, list);
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.writing) void this.writeCalls();
    });
  }

  private async writeCalls(): Promise<void> {
    this.writing = true;
    while (this.pending.size > 0) {
      const batch = this.pending;
      const waiters = this.waiters;
      this.pending = new Map();
      this.waiters = [];
      // One transaction per deployment: each list is its own slot on a Redis Cluster.
      const writes = [...batch].map(([deploymentId, calls]) => {
        const key = this.calls(deploymentId);
        return this.redis
          .multi()
          .lpush(key, ...calls.slice(-SAMPLES))
          .ltrim(key, 0, SAMPLES - 1)
          .expire(key, 86_400)
          .exec();
      });
      try {
        await Promise.all(writes);
        waiters.forEach((w) => w.resolve());
      } catch (e) {
        waiters.forEach((w) => w.reject(e));
      }
    }
    this.writing = false;
  }

  async window(
    deploymentIds: readonly string[],
    now = Date.now(),
  ): Promise<Map<string, CallWindow>> {
    // One read per deployment (each list is its own slot on a Redis Cluster), all in flight
    // together.
    const rows = await Promise.all(
      deploymentIds.map((id) => this.redis.lrange(this.calls(id), 0, SAMPLES - 1)),
    );
    const out = new Map<string, CallWindow>();
    deploymentIds.forEach((id, i) => {
      const raw = rows[i] ?? [];
      const parsed = raw.map((s) => s.split(':').map(Number));
      const lat = parsed.map((p) => p[1]).sort((a, b) => a - b);
      const errors = parsed.filter((p) => p[2] === 0).length;
      out.set(id, {
        samples: parsed.length,
        p50Ms: pct(lat, 0.5),
        p95Ms: pct(lat, 0.95),
        errorRate: parsed.length ? errors / parsed.length : null,
        perMinute: parsed.filter((p) => p[0] > now - 60_000).length,
      });
    });
    return out;
  }

  private failedEntry(jobId: string): string {
    return `${this.keys.prefix}:ops:failed:${jobId}`;
  }

  /** Remembers a failed job (the index keeps the newest entries; each entry lasts a week). */
  async recordFailure(record: JobRecord): Promise<void> {
    const entry: FailedEntry = {
      jobId: record.id,
      tenantId: record.tenantId,
      deployment: record.route.deployment,
      code: record.error?.code ?? 'unknown',
      failedAt: record.finishedAt ?? new Date().toISOString(),
    };
    // The entry, then the index (two slots on a Redis Cluster): readers drop index ids whose
    // entry is gone, so either order of failure leaves nothing wrong on show.
    await this.redis.set(this.failedEntry(record.id), JSON.stringify(entry), 'EX', 7 * 86_400);
    await this.redis
      .multi()
      .zadd(this.failed(), Date.parse(entry.failedAt), record.id)
      .zremrangebyrank(this.failed(), 0, -FAILED_CAP - 1)
      .exec();
  }

  /** Failed jobs, newest first, optionally filtered by deployment, error code and tenant. */
  async failures(q: {
    deployment?: string;
    code?: string;
    tenantId?: string;
    limit: number;
  }): Promise<FailedEntry[]> {
    const out: FailedEntry[] = [];
    // Bounded scan in pages of 500 over the capped index.
    for (let start = 0; start < FAILED_CAP && out.length < q.limit; start += 500) {
      const ids = await this.redis.zrevrange(this.failed(), start, start + 499);
      if (ids.length === 0) break;
      const rows = await getMany(
        this.redis,
        ids.map((id) => this.failedEntry(id)),
      );
      const gone = ids.filter((_, i) => rows[i] === null);
      if (gone.length) await this.redis.zrem(this.failed(), ...gone);
      for (const row of rows) {
        if (!row) continue;
        const e = JSON.parse(row) as FailedEntry;
        if (q.deployment && e.deployment !== q.deployment) continue;
        if (q.code && e.code !== q.code) continue;
        if (q.tenantId && e.tenantId !== q.tenantId) continue;
        out.push(e);
        if (out.length >= q.limit) break;
      }
      if (ids.length < 500) break;
    }
    return out;
  }

  /** Forgets a failed job (it was retried). */
  async forgetFailure(jobId: string): Promise<void> {
    await this.redis.zrem(this.failed(), jobId);
    await this.redis.del(this.failedEntry(jobId));
  }
}
