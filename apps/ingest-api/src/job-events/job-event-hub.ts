import type { GatewayContext } from '@gateway/platform';
import type { Redis } from 'ioredis';

/** Injection token of the process's JobEventHub. */
export const JOB_EVENT_HUB = Symbol('JobEventHub');

/**
 * One pub/sub connection per process for every open job stream: a stream registers a
 * listener for its job and is called on each status change the job store publishes.
 */
export class JobEventHub {
  private sub: Redis | undefined;
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(private readonly ctx: GatewayContext) {}

  /** Calls `listener` on each status change of `jobId` until the returned function runs. */
  async listen(jobId: string, listener: () => void): Promise<() => Promise<void>> {
    const channel = this.ctx.keys.jobEvents(jobId);
    let set = this.listeners.get(jobId);
    const first = !set;
    if (!set) this.listeners.set(jobId, (set = new Set()));
    set.add(listener);
    if (first) await this.subscriber().subscribe(channel);
    return async () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(jobId) === set) {
        this.listeners.delete(jobId);
        await this.sub?.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  private subscriber(): Redis {
    if (!this.sub) {
      this.sub = this.ctx.redis.duplicate();
      this.sub.on('error', () => undefined);
      this.sub.on('message', (channel: string) => {
        const id = channel.slice(channel.lastIndexOf(':') + 1);
        this.listeners.get(id)?.forEach((l) => l());
      });
    }
    return this.sub;
  }

  close(): void {
    this.sub?.disconnect();
  }
}
