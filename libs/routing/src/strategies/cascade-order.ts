import type { DeploymentEntry } from '../config-index';
import { worstCaseCost } from '../cost';
import type { Ordered, StrategyInput } from './strategy';

/**
 * The tier a job starts at, out of `tiers` ordered cheap → strong. Below the threshold a job
 * starts at the cheapest tier; from the threshold up to 1 the remaining tiers share the range
 * evenly, so with two tiers everything at or above the threshold goes to the strong one.
 */
export function startTier(score: number, threshold: number, tiers: number): number {
  // `!(score >= threshold)` also sends a NaN score to the cheap tier.
  if (tiers <= 1 || !(score >= threshold)) return 0;
  if (threshold >= 1) return tiers - 1;
  const above = (score - threshold) / (1 - threshold);
  return Math.min(tiers - 1, 1 + Math.floor(above * (tiers - 1)));
}

/**
 * Starts at the job's tier, falls back up through stronger tiers, then down through cheaper
 * ones (a weaker answer beats none). Route targets are tiers in the order given; without a
 * route the candidates are ranked by worst-case cost to form the tiers.
 */
export function cascade(list: readonly DeploymentEntry[], input: StrategyInput): Ordered {
  const tiers = input.tiersOrdered
    ? [...list]
    : list
        .map((e) => ({ e, c: worstCaseCost(e, input.req) }))
        .sort((a, b) => a.c - b.c)
        .map((x) => x.e);
  const start = startTier(input.complexity, input.threshold, tiers.length);
  const order = [...tiers.slice(start), ...tiers.slice(0, start).reverse()];
  const cmp = input.complexity < input.threshold ? '<' : '≥';
  const label = start === 0 ? 'cheap' : start === tiers.length - 1 ? 'strong' : 'middle';
  return {
    order,
    detail: `complexity ${input.complexity.toFixed(2)} ${cmp} ${input.threshold} → ${label} tier ${start + 1}/${tiers.length} ${tiers[start]?.id ?? ''}; tiers ${tiers.map((e) => e.id).join(' → ')}`,
  };
}
