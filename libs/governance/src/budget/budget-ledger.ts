import type { JobRecord } from '@gateway/contracts';
import type { RedisClient as Redis } from '@gateway/storage';
import { dayOf, fromNano, monthOf, toNano, type GovKeys } from '../gov-keys';
import { BUDGET_SOFT_THRESHOLD } from '../limits/default-limits';
import { SETTLE } from './budget.scripts';

type ScriptRedis = Redis & {
  gwBudgetSettle(...a: (string | number)[]): Promise<number>;
};

/** What a job reserves at admission. */
export interface Reservation {
  readonly tenantId: string;
  readonly keyId: string;
  readonly jobId: string;
  readonly deployment: string;
  readonly amountUsd: number;
  readonly estimatedTokens: number;
  /** The tpm counters the estimate went into (corrected at settlement). */
  readonly tokenCounters: readonly string[];
  readonly budgets?: Budgets;
  /** The key whose budget windows count this job (a rotated key shares its predecessor's). */
  readonly budgetKeyId: string;
  readonly keyBudgets?: Budgets;
}

export interface Budgets {
  readonly dailyUsd?: number;
  readonly monthlyUsd?: number;
}

/** One budget window: whose (the tenant's or an API key's) and which period. */
export interface BudgetWindow {
  readonly scope: 'tenant' | 'key';
  readonly window: 'day' | 'month';
}

/** The four windows a reservation checks, in the reserve script's KEYS order. */
const WINDOWS: readonly BudgetWindow[] = [
  { scope: 'tenant', window: 'day' },
  { scope: 'tenant', window: 'month' },
  { scope: 'key', window: 'day' },
  { scope: 'key', window: 'month' },
];

export type ReserveResult =
  | { readonly ok: true; readonly crossed: BudgetWindow[] }
  | {
      readonly ok: false;
      readonly scope: 'tenant' | 'key';
      readonly window: 'day' | 'month';
      readonly limitUsd: number;
      readonly usedUsd: number;
      /** When the window starts again (ISO). */
      readonly resetsAt: string;
    };

/** One reservation, planned: see {@link BudgetLedger.plan}. */
export interface ReservePlan {
  readonly now: number;
  /** The job's entry in the open index. */
  readonly member: string;
  readonly limitsUsd: readonly (number | undefined)[];
  readonly keys: readonly string[];
  readonly args: readonly (string | number)[];
}

const LEDGER_TTL_SEC = 40 * 86400;
const USAGE_TTL_SEC = 400 * 86400;

/** The start of the next UTC day or month after an instant. */
export function windowReset(window: 'day' | 'month', ms: number): Date {
  const d = new Date(ms);
  return window === 'day'
    ? new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1))
    : new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}

/**
 * Budgets per tenant and per API key in USD per UTC day and month. Admission reserves the
 * job's worst case in all four windows atomically (so parallel submissions never spend past
 * any limit); settlement replaces the reservation by the actual cost, once per job. Every
 * job gets a ledger entry, budget or not, so its usage is counted and its token estimate
 * corrected.
 */
export class BudgetLedger {
  private readonly redis: ScriptRedis;

  constructor(
    redis: Redis,
    private readonly keys: GovKeys,
    private readonly now: () => number = Date.now,
  ) {
    // Reservations run inside admission's script (JobGovernance); settling runs here.
    if (!('gwBudgetSettle' in redis))
      redis.defineCommand('gwBudgetSettle', { numberOfKeys: 1, lua: SETTLE });
    this.redis = redis as ScriptRedis;
  }

  /** Global index of unsettled jobs (`tenant|job` by admission time) for the sweeper. */
  openKey(): string {
    return `${this.keys.keys.prefix}:gov:open`;
  }

  /**
   * The windows, limits and ledger entry of one reservation: the RESERVE script's KEYS and
   * ARGV, run as a step of admission's script.
   */
  plan(r: Reservation): ReservePlan {
    const now = this.now();
    const day = dayOf(now);
    const month = monthOf(now);
    const windowKeys = [
      this.keys.budget(r.tenantId, `d:${day}`),
      this.keys.budget(r.tenantId, `m:${month}`),
      this.keys.keyBudget(r.tenantId, r.budgetKeyId, `d:${day}`),
      this.keys.keyBudget(r.tenantId, r.budgetKeyId, `m:${month}`),
    ];
    const limitsUsd = [
      r.budgets?.dailyUsd,
      r.budgets?.monthlyUsd,
      r.keyBudgets?.dailyUsd,
      r.keyBudgets?.monthlyUsd,
    ];
    const amount = toNano(r.amountUsd);
    const fields: Record<string, string | number> = {
      key: r.keyId,
      dep: r.deployment,
      res: amount,
      // The window keys (d, m, kd, km) the script takes from its KEYS.
      est: Math.round(r.estimatedTokens),
      u: this.keys.usage(r.tenantId, day),
      ...(r.tokenCounters[0] ? { tk1: r.tokenCounters[0] } : {}),
      ...(r.tokenCounters[1] ? { tk2: r.tokenCounters[1] } : {}),
    };
    return {
      now,
      member: `${r.tenantId}|${r.jobId}`,
      limitsUsd,
      keys: [this.keys.ledger(r.tenantId, r.jobId), ...windowKeys],
      args: [
        amount,
        ...limitsUsd.map((usd) => (usd === undefined ? '' : toNano(usd))),
        BUDGET_SOFT_THRESHOLD,
        2 * 86400,
        32 * 86400,
        LEDGER_TTL_SEC,
        ...Object.entries(fields).flat(),
      ],
    };
  }

  /**
   * What the RESERVE script's answer to `plan` means, once it comes. The open index entry is
   * sent right away, in the same write as the script (the sweeper releases an entry whose job
   * never got a record); a refusal, or no reservation at all (`reserved` resolving to
   * undefined), takes it out again.
   */
  async outcome(
    plan: ReservePlan,
    reserved: Promise<number[] | undefined>,
  ): Promise<ReserveResult | undefined> {
    const indexed = this.redis.zadd(this.openKey(), plan.now, plan.member);
    const [res] = await Promise.all([reserved, indexed]);
    if (res?.[0] === 1) return { ok: true, crossed: WINDOWS.filter((_, i) => res[i + 1] === 1) };
    await this.redis.zrem(this.openKey(), plan.member);
    if (!res) return undefined;
    const refused = WINDOWS[res[1] - 1];
    return {
      ok: false,
      ...refused,
      limitUsd: plan.limitsUsd[res[1] - 1] ?? 0,
      usedUsd: fromNano(res[2]),
      resetsAt: windowReset(refused.window, plan.now).toISOString(),
    };
  }

  /**
   * Settles a terminal job with its actual cost and usage (failed and cancelled jobs cost
   * what the record says, usually 0). Returns false when it was settled already.
   */
  async settle(
    record: Pick<JobRecord, 'id' | 'tenantId' | 'status' | 'costUsd' | 'usage'>,
  ): Promise<boolean> {
    const settled = await this.redis.gwBudgetSettle(
      this.keys.ledger(record.tenantId, record.id),
      toNano(record.costUsd ?? 0),
      record.usage?.inputTokens ?? 0,
      record.usage?.outputTokens ?? 0,
      record.status,
      USAGE_TTL_SEC,
      '1',
    );
    await this.redis.zrem(this.openKey(), `${record.tenantId}|${record.id}`);
    return settled === 1;
  }

  /**
   * Gives a reservation back (the job was never stored): no usage is counted and the token
   * estimate is returned to the rate windows.
   */
  async release(tenantId: string, jobId: string): Promise<void> {
    await this.redis.gwBudgetSettle(
      this.keys.ledger(tenantId, jobId),
      0,
      0,
      0,
      'released',
      USAGE_TTL_SEC,
      '0',
    );
    await this.redis.zrem(this.openKey(), `${tenantId}|${jobId}`);
  }

  /** What the tenant has spent (settled) today and this month (UTC), in USD. */
  async spentNow(tenantId: string): Promise<{ todayUsd: number; monthUsd: number }> {
    const now = this.now();
    const [day, month] = await Promise.all([
      this.window(tenantId, `d:${dayOf(now)}`),
      this.window(tenantId, `m:${monthOf(now)}`),
    ]);
    return { todayUsd: day.spentUsd, monthUsd: month.spentUsd };
  }

  /** A window's spent and reserved amounts in USD. */
  async window(
    tenantId: string,
    window: string,
  ): Promise<{ spentUsd: number; reservedUsd: number }> {
    const [spent, reserved] = await this.redis.hmget(
      this.keys.budget(tenantId, window),
      'spent',
      'reserved',
    );
    return { spentUsd: fromNano(Number(spent ?? 0)), reservedUsd: fromNano(Number(reserved ?? 0)) };
  }
}
