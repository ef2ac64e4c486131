import type { DeploymentEntry } from '../config-index';
import { joinLimited } from '../format';
import { hashUnit } from '../hash';
import type { Ordered, StrategyInput } from './strategy';

/**
 * Picks one candidate with probability proportional to its weight, using a hash of the
 * sticky key as the random draw: the same key always lands on the same candidate while the
 * set of candidates is unchanged. The others follow by weight, heaviest first.
 */
export function weighted(list: readonly DeploymentEntry[], input: StrategyInput): Ordered {
  if (list.length === 0) return { order: [], detail: '' };
  let weights = list.map((e) => Math.max(0, input.weightOf(e)));
  let total = weights.reduce((a, b) => a + b, 0);
  // All-zero weights would make the draw meaningless; treat them as equal.
  if (total === 0) {
    weights = weights.map(() => 1);
    total = list.length;
  }
  const draw = hashUnit(input.req.stickyKey ?? '');
  const point = draw * total;
  let chosen = list.length - 1;
  let acc = 0;
  for (let i = 0; i < list.length; i++) {
    acc += weights[i];
    if (point < acc && weights[i] > 0) {
      chosen = i;
      break;
    }
  }
  while (weights[chosen] === 0) chosen--;
  const rest = list
    .map((e, i) => ({ e, w: weights[i], i }))
    .filter((x) => x.i !== chosen)
    .sort((a, b) => b.w - a.w);
  const order = [list[chosen], ...rest.map((x) => x.e)];
  const shares = joinLimited(
    list,
    ', ',
    4,
    (e, i) => `${e.id} ${+(weights[i] / total).toFixed(3)}`,
  );
  const key = input.req.stickyKey === undefined ? 'no sticky key' : 'sticky key';
  return {
    order,
    detail: `${list[chosen].id} drawn at ${draw.toFixed(3)} (${key}) from shares ${shares}`,
  };
}
