import { isTerminal, type JobRecord } from '@gateway/contracts';
import type { GatewayContext } from '../gateway-context';
import { duplicateClient, type RedisClient as Redis } from '@gateway/storage';

/**
 * Long-poll support: one subscriber connection per process; a request waiting on a job
 * subscribes to that job's channel and is woken by the status change itself. A terminal
 * change carries the stored record (see the job store's transition), so the answer needs no
 * further read.
 */
export class JobWaiter {
  private sub: Redis | undefined;
  /** Per job: the waiters, each called with what the job's channel carried. */
  private readonly waiters = new Map<string, Set<(message: string) => void>>();

  constructor(private readonly ctx: GatewayContext) {}

  private subscriber(): Redis {
    if (!this.sub) {
      this.sub = duplicateClient(this.ctx.redis);
      this.sub.on('error', () => undefined);
      this.sub.on('message', (channel: string, message: string) => {
        const id = channel.slice(channel.lastIndexOf(':') + 1);
        this.waiters.get(id)?.forEach((w) => w(message));
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
    // A status word, or the stored record of a terminal job (a JSON object).
    let wake!: (message: string) => void;
    const woken = new Promise<string | undefined>((resolve) => {
      wake = (m) => {
        if (m.startsWith('{')) resolve(m);
        else if (isTerminal(m as JobRecord['status'])) resolve(undefined);
      };
    });
    set.add(wake);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      if (first) await this.subscriber().subscribe(channel);
      // The job may have finished between the first read and the subscription.
      const now = await this.ctx.store.getStatus(id);
      if (!now || isTerminal(now)) return (await this.ctx.store.get(id)) ?? record;
      const stored = await Promise.race([
        woken,
        new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), waitMs))),
        new Promise<undefined>((r) =>
          signal?.addEventListener('abort', (onAbort = () => r(undefined)), { once: true }),
        ),
      ]);
      if (stored) return await this.ctx.store.decode(stored);
      return (await this.ctx.store.get(id)) ?? record;
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      set.delete(wake);
      if (set.size === 0) {
        this.waiters.delete(id);
        // Not awaited: the answer need not wait for it. A later waiter's SUBSCRIBE on the
        // same connection comes after it, so the channel ends up subscribed.
        void this.sub?.unsubscribe(channel).catch(() => undefined);
      }
    }
  }

  close(): void {
    this.sub?.disconnect();
  }
}
