import type { GatewayContext } from '@gateway/platform';
import { duplicateClient, type RedisClient as Redis } from '@gateway/storage';

/** Injection token of the process's JobEventHub. */
export const JOB_EVENT_HUB = Symbol('JobEventHub');

/** What woke a listener: the job's status changed, or its delta stream grew. */
export type JobEventKind = 'status' | 'delta';

/**
 * One pub/sub connection per process for every open job stream, however many there are: a
 * stream registers a listener for its job and is called on each status change the job store
 * publishes and, when it asks for them, on each delta the worker appends.
 */
export class JobEventHub {
  private sub: Redis | undefined;
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(private readonly ctx: GatewayContext) {}

  /** Calls `listener` on each event of `jobId` until the returned function runs. */
  async listen(
    jobId: string,
    listener: (kind: JobEventKind) => void,
    opts: { deltas?: boolean } = {},
  ): Promise<() => Promise<void>> {
    const channels: [string, JobEventKind][] = [[this.ctx.keys.jobEvents(jobId), 'status']];
    if (opts.deltas) channels.push([this.ctx.keys.jobDeltaEvents(jobId), 'delta']);
    const added = channels.map(([channel, kind]) => {
      const call = () => listener(kind);
      let set = this.listeners.get(channel);
      const first = !set;
      if (!set) this.listeners.set(channel, (set = new Set()));
      set.add(call);
      return { channel, set, call, first };
    });
    const fresh = added.filter((a) => a.first).map((a) => a.channel);
    if (fresh.length) await this.subscriber().subscribe(...fresh);
    return async () => {
      const gone: string[] = [];
      for (const { channel, set, call } of added) {
        set.delete(call);
        if (set.size === 0 && this.listeners.get(channel) === set) {
          this.listeners.delete(channel);
          gone.push(channel);
        }
      }
      if (gone.length) await this.sub?.unsubscribe(...gone).catch(() => undefined);
    };
  }

  private subscriber(): Redis {
    if (!this.sub) {
      this.sub = duplicateClient(this.ctx.redis);
      this.sub.on('error', () => undefined);
      this.sub.on('message', (channel: string) => {
        this.listeners.get(channel)?.forEach((l) => l());
      });
    }
    return this.sub;
  }

  close(): void {
    this.sub?.disconnect();
  }
}
