import type { DeploymentEntry } from '../config-index';
import type { LiveStats, RoutingRequest } from '../types';

/** What a strategy may read; strategies are pure and never drop a candidate. */
export interface StrategyInput {
  readonly req: RoutingRequest;
  readonly stats: LiveStats;
  /** Weight of a candidate for `weighted` (route weights, else 1). */
  readonly weightOf: (e: DeploymentEntry) => number;
  /** For `cascade`: the job's complexity in 0..1 and the tier threshold. */
  readonly complexity: number;
  readonly threshold: number;
  /** For `cascade`: whether the list is already cheap → strong (route targets are). */
  readonly tiersOrdered: boolean;
}

/** A strategy's order (a permutation of its input) and a short, readable why. */
export interface Ordered {
  readonly order: DeploymentEntry[];
  readonly detail: string;
}
