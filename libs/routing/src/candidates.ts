import type { DeploymentEntry, RoutingIndex } from './config-index';
import { worstCaseCost } from './cost';
import type { RoutingContext, RoutingErrorCode, RoutingRequest } from './types';

/**
 * Filters in the order they apply. When the candidates run out, the outcome is the code of
 * the latest filter that removed one: e.g. if every deployment that fits the request lies
 * outside the tenant's region, the refusal is `residency_violation`, not `no_route`.
 */
export const STAGES = [
  'task',
  'disabled',
  'allow',
  'capability',
  'context',
  'region',
  'cost',
  'deadline',
] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_CODE: Record<Stage, RoutingErrorCode> = {
  task: 'no_route',
  disabled: 'no_route',
  allow: 'model_not_allowed',
  capability: 'no_route',
  context: 'context_length',
  region: 'residency_violation',
  cost: 'cost_limit',
  deadline: 'deadline',
};

/**
 * How long a job is expected to take on a deployment, from live stats: its latency EWMA,
 * plus the queue ahead of it drained `limit` calls at a time. Undefined without stats.
 */
export function expectedMs(e: DeploymentEntry, ctx: RoutingContext): number | undefined {
  const s = ctx.stats.get(e.id);
  if (s?.latencyEwmaMs === undefined) return undefined;
  const slots = Math.max(1, s.limit ?? e.maxConcurrency);
  return Math.round(s.latencyEwmaMs * (1 + (s.queueDepth ?? 0) / slots));
}

export interface Exclusion {
  readonly entry: DeploymentEntry;
  readonly stage: Stage;
  /** Which check of the stage: 'tenant' | 'key' for allow, the capability for capability. */
  readonly check?: string;
}

export interface Screened {
  /** Fit and breaker not open, in base order. */
  readonly admitted: DeploymentEntry[];
  /** Fit but breaker open: kept only as last fallbacks. */
  readonly lastResort: DeploymentEntry[];
  readonly excluded: Exclusion[];
}

const IMAGE_TASKS = new Set<string>(['image.classify', 'image.caption', 'image.ocr']);

/** True when the deployment's region satisfies the policy; "local" always does. */
export function regionAllows(policy: string, regionKey: string): boolean {
  return regionKey === 'local' || regionKey.startsWith(policy);
}

function capabilityGap(e: DeploymentEntry, req: RoutingRequest): string | undefined {
  if (req.hasImages && !e.images && !(e.vision && IMAGE_TASKS.has(req.task))) return 'images';
  if (req.needsJson && !e.json && !e.isLocal) return 'json';
  if (req.needsTools && !e.tools) return 'tools';
  return undefined;
}

/** Applies every filter to the base candidates, dropping repeats. */
export function screen(
  base: readonly DeploymentEntry[],
  req: RoutingRequest,
  ctx: RoutingContext,
  idx: RoutingIndex,
): Screened {
  const admitted: DeploymentEntry[] = [];
  const lastResort: DeploymentEntry[] = [];
  const excluded: Exclusion[] = [];
  const tenantAllow = ctx.tenant.models ? idx.allowed(ctx.tenant.models) : undefined;
  const keyAllow = ctx.allowedModels ? idx.allowed(ctx.allowedModels) : undefined;
  const policy = ctx.tenant.region ? ctx.tenant.region.toLowerCase() : undefined;
  const need = req.inputTokens + req.maxOutputTokens;
  const seen = new Uint8Array(idx.entries.length);

  for (const e of base) {
    if (seen[e.order] === 1) continue;
    seen[e.order] = 1;
    let stage: Stage | undefined;
    let check: string | undefined;
    if (!e.tasks.has(req.task)) stage = 'task';
    else if (e.configDisabled !== undefined || ctx.disabled?.has(e.id)) stage = 'disabled';
    else if (tenantAllow && tenantAllow[e.order] === 0) [stage, check] = ['allow', 'tenant'];
    else if (keyAllow && keyAllow[e.order] === 0) [stage, check] = ['allow', 'key'];
    else if ((check = capabilityGap(e, req)) !== undefined) stage = 'capability';
    else if (need > e.contextWindow) stage = 'context';
    else if (policy !== undefined && !regionAllows(policy, e.regionKey)) stage = 'region';
    else if (req.maxCostUsd !== undefined && worstCaseCost(e, req) > req.maxCostUsd) stage = 'cost';
    else if (req.timeLeftMs !== undefined && (expectedMs(e, ctx) ?? 0) > req.timeLeftMs)
      stage = 'deadline';

    if (stage !== undefined) excluded.push({ entry: e, stage, check });
    else if (ctx.stats.get(e.id)?.breaker === 'open') lastResort.push(e);
    else admitted.push(e);
  }
  return { admitted, lastResort, excluded };
}

/** The stage that emptied the candidates: the latest one any exclusion reached. */
export function decisiveStage(excluded: readonly Exclusion[]): Stage | undefined {
  let best = -1;
  for (const x of excluded) best = Math.max(best, STAGES.indexOf(x.stage));
  return best < 0 ? undefined : STAGES[best];
}
