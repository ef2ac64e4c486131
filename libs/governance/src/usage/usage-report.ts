import type { RedisClient as Redis } from '@gateway/storage';
import { dayOf, fromNano, type GovKeys } from '../gov-keys';

/** One line of a usage report: a day, a deployment (model) and a key. */
export interface UsageRow {
  readonly tenantId: string;
  readonly day: string;
  readonly model: string;
  readonly keyId: string;
  readonly jobs: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

export interface UsageTotals {
  readonly jobs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

const MAX_DAYS = 93;

/** The UTC days from `from` to `to` inclusive (ISO dates), at most MAX_DAYS. */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return [];
  const out: string[] = [];
  for (let t = start; t <= end && out.length < MAX_DAYS; t += 86400_000) out.push(dayOf(t));
  return out;
}

/**
 * Spend, tokens and jobs by day, model and key, from the counters settlement writes. Jobs
 * count once they end (the day is the day they were admitted, like their budget).
 */
export class UsageReport {
  constructor(
    private readonly redis: Redis,
    private readonly keys: GovKeys,
  ) {}

  async forTenant(tenantId: string, days: readonly string[]): Promise<UsageRow[]> {
    const pipe = this.redis.pipeline();
    days.forEach((d) => pipe.hgetall(this.keys.usage(tenantId, d)));
    const res = (await pipe.exec()) ?? [];
    const rows: UsageRow[] = [];
    days.forEach((day, i) => {
      const h = (res[i]?.[1] as Record<string, string> | undefined) ?? {};
      const groups = new Map<string, Record<string, number>>();
      for (const [field, value] of Object.entries(h)) {
        const cut = field.lastIndexOf('|');
        const group = field.slice(0, cut);
        const g = groups.get(group) ?? {};
        g[field.slice(cut + 1)] = Number(value);
        groups.set(group, g);
      }
      for (const [group, g] of groups) {
        const [model, keyId] = group.split('|');
        rows.push({
          tenantId,
          day,
          model,
          keyId,
          jobs: g.jobs ?? 0,
          succeeded: g.succeeded ?? 0,
          failed: g.failed ?? 0,
          cancelled: g.cancelled ?? 0,
          inputTokens: g.in ?? 0,
          outputTokens: g.out ?? 0,
          costUsd: fromNano(g.cost ?? 0),
        });
      }
    });
    return rows;
  }
}

export function totals(rows: readonly UsageRow[]): UsageTotals {
  let cost = 0;
  let jobs = 0;
  let input = 0;
  let output = 0;
  for (const r of rows) {
    cost += Math.round(r.costUsd * 1e9);
    jobs += r.jobs;
    input += r.inputTokens;
    output += r.outputTokens;
  }
  return { jobs, inputTokens: input, outputTokens: output, costUsd: fromNano(cost) };
}
