import type { DeploymentEntry } from '../config-index';
import { estimatedCost } from '../cost';
import { fmtUsd, joinLimited } from '../format';
import type { Ordered, StrategyInput } from './strategy';

interface Keyed {
  readonly e: DeploymentEntry;
  /** Sort key; NaN means unknown and sorts after every known key. */
  readonly key: number;
}

/** Ascending by key, unknown last; the sort is stable so base order breaks ties. */
function sortByKey(
  list: readonly DeploymentEntry[],
  keyOf: (e: DeploymentEntry) => number,
): Keyed[] {
  const keyed = list.map((e) => ({ e, key: keyOf(e) }));
  keyed.sort((a, b) => {
    const ua = Number.isNaN(a.key);
    const ub = Number.isNaN(b.key);
    if (ua || ub) return ua === ub ? 0 : ua ? 1 : -1;
    return a.key - b.key;
  });
  return keyed;
}

function render(keyed: readonly Keyed[], fmt: (k: number) => string): Ordered {
  const detail = joinLimited(keyed, ' < ', 4, (k) =>
    Number.isNaN(k.key) ? `${k.e.id} unknown` : `${k.e.id} ${fmt(k.key)}`,
  );
  return { order: keyed.map((k) => k.e), detail };
}

/** Lowest latency EWMA first; deployments without a measurement go after measured ones. */
export function leastLatency(list: readonly DeploymentEntry[], input: StrategyInput): Ordered {
  const keyed = sortByKey(list, (e) => input.stats.get(e.id)?.latencyEwmaMs ?? NaN);
  return render(keyed, (k) => `${Math.round(k)}ms`);
}

/** Cheapest expected cost first. */
export function leastCost(list: readonly DeploymentEntry[], input: StrategyInput): Ordered {
  return render(
    sortByKey(list, (e) => estimatedCost(e, input.req)),
    fmtUsd,
  );
}

/**
 * Lowest load first: (queueDepth + inFlight) / limit, where a missing count is 0 and a
 * missing limit is the deployment's `limits.maxConcurrency`.
 */
export function leastBusy(list: readonly DeploymentEntry[], input: StrategyInput): Ordered {
  const keyed = sortByKey(list, (e) => {
    const s = input.stats.get(e.id);
    const limit = s?.limit !== undefined && s.limit > 0 ? s.limit : e.maxConcurrency;
    return ((s?.queueDepth ?? 0) + (s?.inFlight ?? 0)) / limit;
  });
  return render(keyed, (k) => k.toFixed(2));
}
