import type { JobRecord } from '@gateway/contracts';
import { auditEvent, jobAudit } from '@gateway/events';
import type { OpsStore } from '@gateway/queue';
import type { GatewayContext } from '../gateway-context';
import { GatewayError } from '../gateway-error';

/** Which failed jobs a bulk retry takes (all when no filter is given). */
export interface RetryFilter {
  readonly deployment?: string;
  readonly code?: string;
  readonly tenantId?: string;
  readonly limit: number;
}

export interface RetryOutcome {
  readonly jobId: string;
  readonly retried: boolean;
  readonly reason?: string;
}

/**
 * An operator's retry of a failed job: a fresh attempt on the deployment that failed it. The
 * record goes back to `queued` (error and timings cleared, attempts kept as history) in the
 * same transaction as an audit event, then the job is enqueued again.
 */
export class RetryJobUseCase {
  constructor(
    private readonly ctx: GatewayContext,
    private readonly ops: OpsStore,
  ) {}

  async one(jobId: string): Promise<JobRecord> {
    const record = await this.ctx.store.get(jobId);
    if (!record) throw new GatewayError('not_found', `No job ${jobId}`);
    if (record.status !== 'failed') {
      throw new GatewayError(
        'conflict',
        `Job ${jobId} is ${record.status}; only failed jobs can be retried`,
      );
    }
    if (record.policy.payloadsDroppedAt) {
      throw new GatewayError(
        'conflict',
        `Job ${jobId}'s input was dropped after delivery (tenant privacy policy); submit the job again`,
      );
    }
    const cfg = this.ctx.config();
    const target = cfg.deploymentById.get(record.route.deployment);
    if (!target) {
      throw new GatewayError(
        'conflict',
        `Deployment "${record.route.deployment}" is no longer configured; submit the job again`,
      );
    }
    const queued: JobRecord = {
      ...record,
      status: 'queued',
      finishedAt: null,
      error: null,
      output: null,
      timings: null,
    };
    const ok = await this.ctx.store.transition(['failed'], queued, [
      auditEvent(
        jobAudit('admin.action', queued, 'retried', {
          actor: { type: 'admin', id: null },
          reason: `operator retry on ${target.id}`,
          details: { previousError: record.error?.code ?? null },
        }),
      ),
    ]);
    if (ok !== 'OK') {
      throw new GatewayError('conflict', `Job ${jobId} changed meanwhile (now ${ok || 'gone'})`);
    }
    // Out of the failure list before the job can run again: a retry that fails at once is
    // listed afresh (forgetting it after the enqueue could erase that new failure).
    await this.ops.forgetFailure(jobId);
    const hop = record.route.fallbacks.length;
    // A settled BullMQ entry with the same id would swallow the add: clear it first.
    await this.ctx.queues.removeQueued(target.id, jobId, hop);
    await this.ctx.queues.enqueue(
      target.id,
      { jobId, hop },
      { priority: record.priority, attempts: target.attempts, backoffMs: cfg.jobs.backoffMs },
    );
    return queued;
  }

  /** Retries the failed jobs matching the filter, newest first, up to `limit`. */
  async many(filter: RetryFilter): Promise<RetryOutcome[]> {
    const failed = await this.ops.failures(filter);
    const out: RetryOutcome[] = [];
    for (const f of failed) {
      try {
        await this.one(f.jobId);
        out.push({ jobId: f.jobId, retried: true });
      } catch (e) {
        if (e instanceof GatewayError && e.code !== 'conflict' && e.code !== 'not_found') throw e;
        // Already retried or expired: drop it from the index so it is not offered again.
        await this.ops.forgetFailure(f.jobId);
        out.push({ jobId: f.jobId, retried: false, reason: (e as Error).message });
      }
    }
    return out;
  }
}
