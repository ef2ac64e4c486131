import type { Usage } from '@gateway/contracts';
import type { Price } from '@gateway/config';

/** Cost in USD of one call at a deployment's price. */
export function computeCostUsd(price: Price, usage: Usage, images = 0): number {
  const cost =
    (usage.inputTokens * (price.inputPerMTok ?? 0)) / 1e6 +
    (usage.outputTokens * (price.outputPerMTok ?? 0)) / 1e6 +
    (price.perCall ?? 0) +
    images * (price.perImage ?? 0);
  // Round to a billionth of a dollar so sums stay stable across replicas.
  return Math.round(cost * 1e9) / 1e9;
}
