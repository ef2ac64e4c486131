import type { AnyTaskOutput, JobRecord } from '@gateway/contracts';
import { auditEvent, jobAudit, resultEvent } from '@gateway/events';
import type { BudgetLedger } from '@gateway/governance';
import { countFinished } from '@gateway/queue';
import type { GatewayContext } from '../gateway-context';
import { settleQuietly } from './budget-settlement';

/** Completes a just-created job with a cached output: no provider call, cost 0. */
export async function completeFromCache(
  ctx: GatewayContext,
  record: JobRecord,
  output: AnyTaskOutput,
  ledger: BudgetLedger,
  traceparent?: string,
): Promise<JobRecord> {
  const now = new Date();
  const done: JobRecord = {
    ...record,
    status: 'succeeded',
    cached: true,
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    output,
    usage: { inputTokens: 0, outputTokens: 0 },
    costUsd: 0,
    timings: { queuedMs: 0, providerMs: 0, totalMs: now.getTime() - Date.parse(record.createdAt) },
  };
  const res = await ctx.store.transition(['queued'], done, [
    resultEvent(done, traceparent),
    auditEvent(
      jobAudit('job.succeeded', done, 'succeeded', { details: { cached: true, costUsd: 0 } }),
      traceparent,
    ),
  ]);
  if (res === 'OK') countFinished(done);
  await settleQuietly(ctx, ledger, done);
  return done;
}
