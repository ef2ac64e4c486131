import { isTerminal, type JobRecord, type JobStatus } from '@gateway/contracts';
import type { GatewayContext } from '../gateway-context';
import { duplicateClient, type RedisClient as Redis } from '@gateway/storage';

/**
 * Long-poll support: one subscriber connection per process; a request waiting on a job
 * subscribes to that job's channel and is woken by the status change itself.
 */
export class JobWaiter {
  private sub: Redis | undefined;
  private readonly waiters = new Map<string, Set<(s: JobStatus) => void>>();

  constructor(private readonly ctx: GatewayContext) {}

  private subscriber(): Redis {
    if (!this.sub) {
      this.sub = duplicateClient(this.ctx.redis);
      this.sub.on('error', () => undefined);
      this.sub.on('message', (channel: string, status: string) => {
        const id = channel.slice(channel.lastIndexOf(':') + 1);
        this.waiters.get(id)?.forEach((w) => w(status as JobStatus));
      });
    }
    return this.sub;
  }

  /**
   * Resolves with the record once it is terminal, `waitMs` passes or `signal` aborts (the
   * waiting client went away): whichever comes first.
   */
  async waitForTerminal(
    record: JobRecord,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<JobRecord> {
    if (isTerminal(record.status) || waitMs <= 0 || signal?.aborted) return record;
    const id = record.id;
    const channel = this.ctx.keys.jobEvents(id);
    let set = this.waiters.get(id);
    const first = !set;
    if (!set) this.waiters.set(id, (set = new Set()));
    let wake!: (s: JobStatus) => void;
    const woken = new Promise<void>((resolve) => {
      wake = (s) => isTerminal(s) && resolve();
    });
    set.add(wake);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      if (first) await this.subscriber().subscribe(channel);
      // The job may have finished between the first read and the subscription.
      const now = await this.ctx.store.get(id);
      if (!now || isTerminal(now.status)) return now ?? record;
      await Promise.race([
        woken,
        new Promise<void>((r) => (timer = setTimeout(r, waitMs))),
        new Promise<void>((r) =>
          signal?.addEventListener('abort', (onAbort = () => r()), { once: true }),
        ),
      ]);
      return (await this.ctx.store.get(id)) ?? record;
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      set.delete(wake);
      if (set.size === 0) {
        this.waiters.delete(id);
        await this.sub?.unsubscribe(channel).catch(() => undefined);
      }
    }
  }

  close(): void {
    this.sub?.disconnect();
  }
}
