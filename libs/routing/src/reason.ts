import type { Exclusion, Screened, Stage } from './candidates';
import { STAGE_CODE, decisiveStage, expectedMs } from './candidates';
import { worstCaseCost } from './cost';
import { fmtUsd, joinLimited } from './format';
import type { RoutingContext, RoutingOutcome, RoutingRequest } from './types';

type Refusal = Extract<RoutingOutcome, { ok: false }>;

/**
 * Why a deployment was left out, in a few words. The short form leaves out per-deployment
 * numbers so exclusions group well in decision reasons; refusals use the detailed form.
 */
export function describeExclusion(
  x: Exclusion,
  req: RoutingRequest,
  ctx: RoutingContext,
  detailed = true,
): string {
  const e = x.entry;
  switch (x.stage) {
    case 'task':
      return `does not serve ${req.task}`;
    case 'disabled':
      return e.configDisabled ?? 'disabled at runtime';
    case 'allow':
      return x.check === 'tenant'
        ? `model not allowed for tenant ${ctx.tenant.id} (models: ${(ctx.tenant.models ?? []).join(', ')})`
        : `model not allowed by the API key (models: ${(ctx.allowedModels ?? []).join(', ')})`;
    case 'capability':
      return `lacks capability "${x.check}"`;
    case 'context': {
      const need = req.inputTokens + req.maxOutputTokens;
      return detailed
        ? `context window ${e.contextWindow} < ${need} tokens`
        : `context window < ${need} tokens`;
    }
    case 'region':
      return detailed
        ? `region ${ctx.tenant.region} required (is ${e.region})`
        : `region ${ctx.tenant.region} required`;
    case 'cost': {
      const cap = fmtUsd(req.maxCostUsd ?? 0);
      return detailed
        ? `worst case ${fmtUsd(worstCaseCost(e, req))} > maxCostUsd ${cap}`
        : `worst case > maxCostUsd ${cap}`;
    }
    case 'deadline':
      return detailed
        ? `expected ${expectedMs(e, ctx)} ms > ${req.timeLeftMs} ms left before routing.deadline`
        : `expected to finish after routing.deadline`;
  }
}

/** "a, b excluded: why; c excluded: other why": exclusions sharing a why are grouped. */
export function listExclusions(
  xs: readonly Exclusion[],
  req: RoutingRequest,
  ctx: RoutingContext,
  max = 3,
  detailed = true,
): string {
  // Short form: group by kind first and describe each group once (decisions run this on
  // every call); detailed form: group by the full text.
  const groups = new Map<string, { x: Exclusion; ids: string[] }>();
  for (const x of xs) {
    const key = detailed
      ? describeExclusion(x, req, ctx)
      : `${x.stage}|${x.check ?? ''}|${x.entry.configDisabled ?? ''}`;
    const g = groups.get(key);
    if (g) g.ids.push(x.entry.id);
    else groups.set(key, { x, ids: [x.entry.id] });
  }
  return joinLimited(
    [...groups.values()],
    '; ',
    max,
    (g) => `${joinLimited(g.ids, ', ', 6)} excluded: ${describeExclusion(g.x, req, ctx, detailed)}`,
  );
}

function fixFor(stage: Stage, req: RoutingRequest, ctx: RoutingContext, xs: Exclusion[]): string {
  switch (stage) {
    case 'task':
    case 'disabled':
      return `Add an enabled deployment with tasks: [${req.task}] (a provider needs its credentials), or re-enable one.`;
    case 'allow':
      return `Name a model matching the tenant's models and the API key's models:<pattern> scopes, or widen them.`;
    case 'capability': {
      const caps = [...new Set(xs.map((x) => x.check))].join(', ');
      return `Add capabilities: [${caps}] to a deployment serving ${req.task}, or drop that feature from the request.`;
    }
    case 'context': {
      const largest = xs.reduce((a, b) => (b.entry.contextWindow > a.entry.contextWindow ? b : a));
      return `The largest candidate window is ${largest.entry.contextWindow} tokens (${largest.entry.id}); shorten the input or lower maxTokens.`;
    }
    case 'region':
      return `Residency policy: tenant ${ctx.tenant.id} requires region "${ctx.tenant.region}" (regions equal to or starting with it, or "local"). Add a deployment in that region serving ${req.task}, or change the tenant's region.`;
    case 'cost': {
      const cheapest = Math.min(...xs.map((x) => worstCaseCost(x.entry, req)));
      return `The cheapest candidate costs up to ${fmtUsd(cheapest)}; raise routing.maxCostUsd or lower maxTokens.`;
    }
    case 'deadline': {
      const fastest = Math.min(...xs.map((x) => expectedMs(x.entry, ctx) ?? 0));
      return `The fastest candidate is expected to take ${fastest} ms now; set routing.deadline later or leave it out.`;
    }
  }
}

const HEADLINE: Record<Stage, string> = {
  task: 'No available deployment serves',
  disabled: 'No available deployment serves',
  allow: 'No allowed model serves',
  capability: 'No deployment with the needed capabilities serves',
  context: 'No deployment has a large enough context window for',
  region: 'No deployment in the required region serves',
  cost: 'No deployment within routing.maxCostUsd serves',
  deadline: 'No deployment is expected to finish before routing.deadline for',
};

/** The refusal when every candidate was filtered out, naming what failed and the fix. */
export function refusal(
  s: Screened,
  req: RoutingRequest,
  ctx: RoutingContext,
  source: string,
): Refusal {
  const stage = decisiveStage(s.excluded);
  if (stage === undefined) {
    return {
      ok: false,
      code: 'no_route',
      message: `No enabled deployment serves task "${req.task}" (${source}). ${fixFor('task', req, ctx, [])}`,
    };
  }
  const decisive = s.excluded.filter((x) => x.stage === stage);
  const others = s.excluded.filter((x) => x.stage !== stage);
  const also = others.length > 0 ? ` Also: ${listExclusions(others, req, ctx)}.` : '';
  return {
    ok: false,
    code: STAGE_CODE[stage],
    message: `${HEADLINE[stage]} ${req.task} (${source}): ${listExclusions(decisive, req, ctx, 5)}. ${fixFor(stage, req, ctx, decisive)}${also}`,
  };
}

/** The refusal when the model the request named cannot take it. */
export function pinnedRefusal(x: Exclusion, req: RoutingRequest, ctx: RoutingContext): Refusal {
  const e = x.entry;
  return {
    ok: false,
    code: STAGE_CODE[x.stage],
    message: `Model "${req.model}" (deployment ${e.id}) cannot take this ${req.task} request: ${describeExclusion(x, req, ctx)}. ${fixFor(x.stage, req, ctx, [x])} Or omit "model" to let the gateway choose.`,
  };
}

/** A request chose a strategy its API key's `routing:<strategy>` scopes do not grant. */
export function strategyRefusal(strategy: string, allowed: readonly string[]): Refusal {
  const granted = allowed.length > 0 ? allowed.join(', ') : 'none';
  return {
    ok: false,
    code: 'strategy_not_allowed',
    message: `This API key may not choose routing strategy "${strategy}" (its routing scopes allow: ${granted}). Omit routing.strategy to use the route's strategy, or use a key with scope routing:${strategy}.`,
  };
}
