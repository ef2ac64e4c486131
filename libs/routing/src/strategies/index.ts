import type { RoutingStrategy } from '@gateway/contracts';
import type { DeploymentEntry } from '../config-index';
import { joinLimited } from '../format';
import { cascade } from './cascade-order';
import { leastBusy, leastCost, leastLatency } from './metric';
import type { Ordered, StrategyInput } from './strategy';
import { weighted } from './weighted';

export type { Ordered, StrategyInput } from './strategy';
export { startTier } from './cascade-order';

function priority(list: readonly DeploymentEntry[]): Ordered {
  return { order: [...list], detail: joinLimited(list, ' > ', 4, (e) => e.id) };
}

/** Orders candidates by the named strategy; the result is a permutation of `list`. */
export function orderBy(
  strategy: RoutingStrategy,
  list: readonly DeploymentEntry[],
  input: StrategyInput,
): Ordered {
  switch (strategy) {
    case 'priority':
      return priority(list);
    case 'weighted':
      return weighted(list, input);
    case 'least-latency':
      return leastLatency(list, input);
    case 'least-cost':
      return leastCost(list, input);
    case 'least-busy':
      return leastBusy(list, input);
    case 'cascade':
      return cascade(list, input);
  }
}
