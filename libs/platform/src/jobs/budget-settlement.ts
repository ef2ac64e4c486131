import type { JobRecord } from '@gateway/contracts';
import { SettlementSweeper, type BudgetLedger } from '@gateway/governance';
import type { JobObserver } from '@gateway/queue';
import type { GatewayContext } from '../gateway-context';

/** How often the backstop sweep looks for ended jobs whose reservation is still open. */
const SWEEP_INTERVAL_MS = 1000;

/**
 * Budget settlement in every app that can end a job. The process that stores a terminal
 * record settles it at once (workers for results and failures, the cancel use case, a cache
 * hit at submission); the sweeper runs in every app as a backstop for a process that died
 * between the two steps, so settlement never depends on one kind of process being up. The
 * ledger's settle script deletes the entry it settles, so each job settles exactly once.
 */
export function startBudgetSettlement(ctx: GatewayContext, ledger: BudgetLedger) {
  const sweeper = new SettlementSweeper(ctx.redis, ctx.keys, ledger, ctx.log, SWEEP_INTERVAL_MS);
  sweeper.start();
  const settle = (record: JobRecord) => settleQuietly(ctx, ledger, record);
  const observer: JobObserver = { onSucceeded: settle, onFailed: settle };
  return { observer, settle, stop: () => sweeper.stop() };
}

/** Settles one ended job; a failure is logged and left to the sweeper. */
export async function settleQuietly(
  ctx: GatewayContext,
  ledger: BudgetLedger,
  record: JobRecord,
): Promise<void> {
  await ledger.settle(record).catch((e: unknown) => {
    ctx.log.warn(
      { err: (e as Error).message, jobId: record.id },
      'budget settlement failed; the sweeper retries',
    );
  });
}
