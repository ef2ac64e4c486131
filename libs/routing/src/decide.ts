import { DEFAULT_CASCADE_OPTIONS, scoreFromTokens } from './cascade';
import { screen, type Screened } from './candidates';
import { indexFor, type DeploymentEntry } from './config-index';
import { estimatedCost, roundUsd, worstCaseCost } from './cost';
import { joinLimited } from './format';
import { pinnedRefusal, listExclusions, refusal, strategyRefusal } from './reason';
import { planRoute } from './route-select';
import { orderBy, type StrategyInput } from './strategies';
import type { RoutingContext, RoutingOutcome, RoutingRequest } from './types';

const isEmpty = (s: Screened): boolean => s.admitted.length === 0 && s.lastResort.length === 0;

/**
 * Decides where a job runs: picks the route, filters its candidates (task, availability,
 * allow-lists, capabilities, context window, region, cost cap), orders the rest by the
 * strategy and keeps open-breaker deployments as last fallbacks. Pure and deterministic:
 * the same request, config, tenant and stats give the same decision.
 */
export function decide(req: RoutingRequest, ctx: RoutingContext): RoutingOutcome {
  if (req.strategy && ctx.allowedStrategies && !ctx.allowedStrategies.includes(req.strategy)) {
    return strategyRefusal(req.strategy, ctx.allowedStrategies);
  }
  if (req.timeLeftMs !== undefined && req.timeLeftMs <= 0) {
    return {
      ok: false,
      code: 'deadline',
      message: `routing.deadline passed ${-req.timeLeftMs} ms ago; set one in the future or leave it out.`,
    };
  }
  const idx = indexFor(ctx.config);
  const plan = planRoute(idx, req);
  if (!plan.ok) return plan;
  const { pinned } = plan;
  let source = plan.source;
  let screened = screen(plan.base, req, ctx, idx);
  let fromRoute = plan.route !== undefined;

  if (pinned) {
    const x = screened.excluded.find((ex) => ex.entry === pinned);
    // Policy and fit refusals of a named model are the caller's to fix; mere unavailability
    // (no credentials, paused) lets the fallbacks serve.
    if (x && x.stage !== 'disabled') return pinnedRefusal(x, req, ctx);
  }
  if (isEmpty(screened) && plan.route && screened.excluded.every((x) => x.stage === 'disabled')) {
    // A route whose targets are all switched off (typically: no vendor credentials) falls
    // back to the default route, so a config without keys still serves every task locally.
    const off = listExclusions(screened.excluded, req, ctx, 2);
    screened = screen(idx.defaultByTask.get(req.task) ?? [], req, ctx, idx);
    source = `${source} had no enabled target (${off}), so default route for ${req.task}`;
    fromRoute = false;
  }
  if (isEmpty(screened)) return refusal(screened, req, ctx, source);

  const strategy = req.strategy ?? plan.route?.config.strategy ?? 'priority';
  const weights = plan.route?.weightById;
  const input: StrategyInput = {
    req,
    stats: ctx.stats,
    weightOf: (e) => weights?.get(e.id) ?? 1,
    complexity: req.complexity ?? scoreFromTokens(req.inputTokens, req.maxOutputTokens),
    threshold: ctx.cascade?.threshold ?? DEFAULT_CASCADE_OPTIONS.threshold,
    tiersOrdered: fromRoute,
  };
  const pinnedUp = pinned !== undefined && screened.admitted.includes(pinned);
  const pool = pinnedUp ? screened.admitted.filter((e) => e !== pinned) : screened.admitted;
  const ordered = orderBy(strategy, pool, input);
  const lastResort =
    pinned && screened.lastResort.includes(pinned)
      ? [pinned, ...screened.lastResort.filter((e) => e !== pinned)]
      : screened.lastResort;
  const plannedOrder: DeploymentEntry[] = [
    ...(pinnedUp ? [pinned] : []),
    ...ordered.order,
    ...lastResort,
  ];
  const chosen = plannedOrder[0];

  const parts: string[] = [];
  if (pinnedUp) parts.push(`${pinned.id} named by model`);
  if (pool.length > 0) parts.push(`${strategy} of ${pool.length}: ${ordered.detail}`);
  if (lastResort.length > 0) {
    parts.push(
      `breaker open, kept as last resort: ${joinLimited(lastResort, ', ', 6, (e) => e.id)}`,
    );
  }
  if (screened.excluded.length > 0) {
    parts.push(listExclusions(screened.excluded, req, ctx, 3, false));
  }
  parts.push(`via ${source}`);

  let maxCost = 0;
  for (const e of plannedOrder) maxCost = Math.max(maxCost, worstCaseCost(e, req));
  const ttl = plan.route?.config.cache?.ttlSeconds;
  const { pii, piiOutput } = plan.route?.config ?? {};
  return {
    ok: true,
    decision: {
      deployment: chosen.id,
      provider: chosen.provider,
      model: chosen.model,
      region: chosen.region,
      strategy,
      candidates: plannedOrder.map((e) => e.id),
      reason: parts.join('; '),
      ...(ttl !== undefined ? { cacheTtlSeconds: ttl } : {}),
      ...(pii !== undefined ? { pii } : {}),
      ...(piiOutput !== undefined ? { piiOutput } : {}),
      fallbackOnNonRetryable: plan.route?.config.fallbackOnNonRetryable ?? false,
      estimatedCostUsd: roundUsd(estimatedCost(chosen, req)),
      maxCostUsd: roundUsd(maxCost),
    },
  };
}
