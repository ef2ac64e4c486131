import type { JobRecord } from '@gateway/contracts';
import type { Logger } from '@gateway/observability';
import type { Keys } from '@gateway/queue';
import type { RedisClient as Redis } from '@gateway/storage';
import type { BudgetLedger } from './budget-ledger';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);
/** A ledger entry whose job record never appeared after this long was for a job never stored. */
const ORPHAN_AFTER_MS = 60_000;

/**
 * Settles jobs once they end, whatever ended them (a worker, a cancel, a cache hit, an
 * expiry): it reads unsettled jobs from the ledger's index and settles those whose record
 * is terminal. The process that ends a job settles it at once; this sweep, run by every app,
 * is the path no terminal transition (and no process dying in between) can bypass.
 * Settlement is idempotent, so several replicas may sweep side by side.
 */
export class SettlementSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly ledger: BudgetLedger,
    private readonly log: Logger,
    private readonly intervalMs = 250,
    private readonly batch = 500,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      // Pages through the index (bounded so one tick never runs long); settled entries leave
      // it, so the next page starts after what stayed.
      let start = 0;
      for (let page = 0; page < 10; page++) {
        const { seen, settled } = await this.sweepPage(start);
        if (seen < this.batch) break;
        start += seen - settled;
      }
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'budget settlement sweep failed; retrying');
    } finally {
      this.running = false;
    }
  }

  /** Settles what has ended among `batch` unsettled jobs from `start` (oldest first). */
  async sweepPage(start = 0): Promise<{ seen: number; settled: number }> {
    const open = await this.redis.zrange(
      this.ledger.openKey(),
      String(start),
      String(start + this.batch - 1),
      'WITHSCORES',
    );
    if (open.length === 0) return { seen: 0, settled: 0 };
    const members: { tenantId: string; jobId: string; since: number }[] = [];
    for (let i = 0; i < open.length; i += 2) {
      const [tenantId, jobId] = open[i].split('|');
      members.push({ tenantId, jobId, since: Number(open[i + 1]) });
    }
    // Statuses first (small); records (with their outputs) only of the jobs that ended.
    // One command per record (records lie in their shards' slots), issued together.
    const statuses = await Promise.all(
      members.map((m) => this.redis.hget(this.keys.job(m.jobId), 'status')),
    );
    const ended = members.filter((_, i) => TERMINAL.has(statuses[i] ?? ''));
    const rows = await Promise.all(
      ended.map((m) => this.redis.hmget(this.keys.job(m.jobId), 'status', 'data')),
    );
    let settled = 0;
    for (let i = 0; i < ended.length; i++) {
      const m = ended[i];
      const [status, data] = rows[i] ?? [null, null];
      if (!status || !data) continue;
      const r = JSON.parse(data) as Pick<JobRecord, 'costUsd' | 'usage'>;
      await this.ledger.settle({
        id: m.jobId,
        tenantId: m.tenantId,
        status: status as JobRecord['status'],
        costUsd: r.costUsd,
        usage: r.usage,
      });
      settled++;
    }
    for (let i = 0; i < members.length; i++) {
      const m = members[i];
      if (!statuses[i] && Date.now() - m.since > ORPHAN_AFTER_MS) {
        await this.ledger.release(m.tenantId, m.jobId);
        settled++;
      }
    }
    return { seen: members.length, settled };
  }
}
