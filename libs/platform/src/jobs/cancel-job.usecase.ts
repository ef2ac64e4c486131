import { isTerminal, type JobRecord } from '@gateway/contracts';
import { auditEvent, jobAudit, resultEvent } from '@gateway/events';
import { BudgetLedger, GovKeys, type Principal } from '@gateway/governance';
import { countFinished } from '@gateway/queue';
import type { GatewayContext } from '../gateway-context';
import { GatewayError } from '../gateway-error';
import { settleQuietly } from './budget-settlement';

/**
 * Cancels a job: a queued one never runs; a running one has its provider call aborted by the
 * worker that holds it; a terminal one answers 409. `reason` becomes the record's error
 * message (who or what stopped the job).
 */
export class CancelJobUseCase {
  private readonly ledger: BudgetLedger;

  constructor(private readonly ctx: GatewayContext) {
    this.ledger = new BudgetLedger(ctx.redis, new GovKeys(ctx.keys));
  }

  async execute(
    principal: Principal,
    jobId: string,
    reason = 'Cancelled by the client',
    /** The cancelling request's trace: its result and audit events carry it. */
    traceparent?: string,
  ): Promise<JobRecord> {
    for (let tries = 0; tries < 3; tries++) {
      const record = await this.ctx.store.get(jobId);
      if (!record || record.tenantId !== principal.tenantId)
        throw new GatewayError('not_found', `No job ${jobId}`);
      if (isTerminal(record.status)) {
        throw new GatewayError(
          'conflict',
          `Job ${jobId} is already ${record.status}; only queued or running jobs can be cancelled`,
        );
      }
      const now = new Date();
      const cancelled: JobRecord = {
        ...record,
        status: 'cancelled',
        finishedAt: now.toISOString(),
        error: { code: 'cancelled', message: reason, retryable: false },
        timings: {
          queuedMs: record.startedAt
            ? Date.parse(record.startedAt) - Date.parse(record.createdAt)
            : now.getTime() - Date.parse(record.createdAt),
          providerMs: 0,
          totalMs: now.getTime() - Date.parse(record.createdAt),
        },
      };
      const res = await this.ctx.store.transition([record.status], cancelled, [
        resultEvent(cancelled, traceparent),
        auditEvent(
          jobAudit('job.cancelled', cancelled, 'cancelled', {
            actor: { type: 'key', id: principal.keyId },
          }),
          traceparent,
        ),
      ]);
      if (res !== 'OK') continue; // the status moved under us: look again
      countFinished(cancelled);
      // The reservation comes back now (the sweeper is only the backstop).
      await settleQuietly(this.ctx, this.ledger, cancelled);
      // Tell whichever worker holds it to abort the provider call, and drop the queue entry.
      await this.ctx.redis.publish(this.ctx.keys.cancelChannel(), jobId);
      if (record.status === 'queued') {
        await this.ctx.queues.removeQueued(
          record.route.deployment,
          jobId,
          record.route.fallbacks.length,
        );
      }
      return cancelled;
    }
    throw new GatewayError('conflict', `Job ${jobId} changed while cancelling; try again`);
  }
}
