import { scanKeys, type BlobStore, type RedisClient as Redis } from '@gateway/storage';
import type { Keys } from '../keys';

/**
 * Enforces the retention window beyond Redis TTLs: records expire by themselves, but blobs
 * of large payloads (kept per day under `jobs/<YYYY-MM-DD>/`) and the per-tenant job indexes
 * need sweeping. Runs in the dispatcher; safe to run on several replicas at once.
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly blobs: BlobStore,
    private readonly retentionSec: () => number,
  ) {}

  start(intervalMs = 3600_000): void {
    const tick = () => {
      void this.sweep()
        .catch(() => undefined)
        .finally(() => {
          this.timer = setTimeout(tick, intervalMs);
          this.timer.unref();
        });
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** One pass; returns what it removed. */
  async sweep(now = Date.now()): Promise<{ blobDays: number; indexEntries: number }> {
    // Queued records live twice the window (see JobStore.create): keep their blobs as long.
    const cutoff = now - this.retentionSec() * 2 * 1000;
    const cutoffDay = new Date(cutoff).toISOString().slice(0, 10);
    let blobDays = 0;
    for (const day of await this.blobs.list('jobs')) {
      if (/^\d{4}-\d{2}-\d{2}$/.test(day) && day < cutoffDay) {
        await this.blobs.deletePrefix(`jobs/${day}`);
        blobDays++;
      }
    }
    let indexEntries = 0;
    await scanKeys(
      this.redis,
      `${this.keys.prefix}:{t:*}:jobs`,
      async (found) => {
        for (const key of found)
          indexEntries += await this.redis.zremrangebyscore(key, '-inf', `(${cutoff}`);
      },
      { count: 200 },
    );
    return { blobDays, indexEntries };
  }
}
