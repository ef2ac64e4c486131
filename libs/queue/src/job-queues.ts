import type { Priority } from '@gateway/contracts';
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { queueNameFor } from './keys';

/** What a BullMQ job carries: ids only; the worker loads the rest from the job store. */
export interface QueuedJobData {
  readonly jobId: string;
  /** Which hop of the fallback chain this queue entry is (0 = first choice). */
  readonly hop: number;
  /** W3C traceparent of the submission, carried into the worker and the result headers. */
  readonly traceparent?: string;
}

const PRIORITY: Record<Priority, number> = { high: 1, normal: 5, low: 10 };

/** BullMQ options for one gateway job on one deployment. */
export function jobOptions(
  jobId: string,
  hop: number,
  priority: Priority,
  attempts: number,
  backoffMs: number,
): JobsOptions {
  return {
    jobId: hop === 0 ? jobId : `${jobId}.${hop}`,
    priority: PRIORITY[priority],
    attempts,
    backoff: { type: 'exponential', delay: backoffMs, jitter: 0.5 },
    // The job store keeps the record; BullMQ's copy goes as soon as it is settled.
    removeOnComplete: true,
    removeOnFail: { age: 24 * 3600, count: 10_000 },
  };
}

/** One BullMQ queue per deployment, created on first use and shared. */
export class JobQueues {
  private readonly queues = new Map<string, Queue<QueuedJobData>>();

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly prefix: string,
  ) {}

  queue(deploymentId: string): Queue<QueuedJobData> {
    let q = this.queues.get(deploymentId);
    if (!q) {
      q = new Queue<QueuedJobData>(queueNameFor(deploymentId), {
        connection: this.connection,
        prefix: this.prefix,
      });
      q.on('error', () => undefined);
      this.queues.set(deploymentId, q);
    }
    return q;
  }

  async enqueue(
    deploymentId: string,
    data: QueuedJobData,
    opts: { priority: Priority; attempts: number; backoffMs: number; rank?: number },
  ): Promise<void> {
    const o = jobOptions(data.jobId, data.hop, opts.priority, opts.attempts, opts.backoffMs);
    // A fair-queueing rank from admission replaces the plain priority band.
    if (opts.rank) o.priority = opts.rank;
    await this.queue(deploymentId).add('job', data, o);
  }

  /** Removes a queued entry (cancellation); a locked (running) one is left to the worker. */
  async removeQueued(deploymentId: string, jobId: string, hop: number): Promise<void> {
    const id = hop === 0 ? jobId : `${jobId}.${hop}`;
    await this.queue(deploymentId)
      .remove(id)
      .catch(() => 0);
  }

  async waitingCount(deploymentId: string): Promise<number> {
    return this.queue(deploymentId).getWaitingCount();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
