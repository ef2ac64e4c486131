import type { DeploymentEntry } from './config-index';
import type { RoutingRequest } from './types';

/**
 * Share of `maxOutputTokens` a job is expected to use, for `least-cost` and
 * `estimatedCostUsd`. Caps are usually generous, so half is a fair middle; budgets reserve
 * with the worst case instead.
 */
export const EXPECTED_OUTPUT_SHARE = 0.5;

export function imageCountOf(req: RoutingRequest): number {
  return req.imageCount ?? (req.hasImages ? 1 : 0);
}

function costWith(e: DeploymentEntry, req: RoutingRequest, outputTokens: number): number {
  return (
    req.inputTokens * e.inputPerTok +
    outputTokens * e.outputPerTok +
    e.perCall +
    imageCountOf(req) * e.perImage
  );
}

/** Expected cost of the job on a deployment. */
export function estimatedCost(e: DeploymentEntry, req: RoutingRequest): number {
  return costWith(e, req, Math.ceil(req.maxOutputTokens * EXPECTED_OUTPUT_SHARE));
}

/** Cost of the job on a deployment if every allowed output token is produced. */
export function worstCaseCost(e: DeploymentEntry, req: RoutingRequest): number {
  return costWith(e, req, req.maxOutputTokens);
}

/** Rounded to a billionth of a dollar, like recorded job costs. */
export function roundUsd(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
