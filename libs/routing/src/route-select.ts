import type { DeploymentEntry, RouteEntry, RoutingIndex } from './config-index';
import type { RoutingOutcome, RoutingRequest } from './types';

/** Where a decision's candidates come from, before any filter. */
export interface RoutePlan {
  readonly ok: true;
  /** The matched route, or undefined for the default route of the task. */
  readonly route?: RouteEntry;
  /** A deployment the request named by id or alias, to be tried first. */
  readonly pinned?: DeploymentEntry;
  /** Candidates in base order (route targets or the default order); includes `pinned`. */
  readonly base: readonly DeploymentEntry[];
  /** For the reason: which rule produced the candidates. */
  readonly source: string;
}

type Refusal = Extract<RoutingOutcome, { ok: false }>;

function routeMatches(r: RouteEntry, req: RoutingRequest): boolean {
  if (r.config.match.task !== undefined && r.config.match.task !== req.task) return false;
  for (const [k, v] of r.metadata) {
    const got = req.metadata?.[k];
    if (got === undefined || String(got) !== v) return false;
  }
  return true;
}

function describeRoute(r: RouteEntry): string {
  const m = r.config.match;
  const parts = [
    m.model !== undefined ? `model ${m.model}` : '',
    m.task !== undefined ? `task ${m.task}` : '',
    r.metadata.length > 0 ? `metadata ${r.metadata.map(([k, v]) => `${k}=${v}`).join(',')}` : '',
  ].filter((p) => p !== '');
  return `routes[${r.index}] (${parts.join(', ')})`;
}

/**
 * Picks the candidates' source. A route naming the request's model beats any other; then the
 * most specific route matching task and metadata (config order among equals); then the
 * default. A model that is a deployment id or alias with no route of its own pins that
 * deployment first, followed by the task's usual candidates as fallbacks.
 */
export function planRoute(idx: RoutingIndex, req: RoutingRequest): RoutePlan | Refusal {
  const model = req.model;
  if (model !== undefined) {
    const modelRoutes = idx.modelRoutes.get(model);
    const hit = modelRoutes?.find((r) => routeMatches(r, req));
    if (hit) return { ok: true, route: hit, base: hit.targets, source: describeRoute(hit) };
    if (modelRoutes && !idx.byName.has(model)) {
      const tasks = [...new Set(modelRoutes.map((r) => r.config.match.task ?? 'any task'))];
      return {
        ok: false,
        code: 'no_route',
        message: `Model "${model}" is routed for ${tasks.join(', ')} (with the route's metadata), not for task "${req.task}". Use a model that serves ${req.task} or add a route for it.`,
      };
    }
  }
  const taskRoute = idx.otherRoutes.find((r) => routeMatches(r, req));
  const base = taskRoute?.targets ?? idx.defaultByTask.get(req.task) ?? [];
  const source = taskRoute ? describeRoute(taskRoute) : `default route for ${req.task}`;
  if (model === undefined) return { ok: true, route: taskRoute, base, source };

  const pinned = idx.byName.get(model);
  if (!pinned) {
    const known = idx.knownModels;
    const shown =
      known.slice(0, 20).join(', ') + (known.length > 20 ? `, … (+${known.length - 20})` : '');
    return {
      ok: false,
      code: 'unknown_model',
      message: `Unknown model "${model}": it is neither a route model, a deployment id nor an alias. Known models: ${shown}. Omit "model" to let the gateway choose.`,
    };
  }
  return {
    ok: true,
    route: taskRoute,
    pinned,
    base: [pinned, ...base.filter((e) => e !== pinned)],
    source: `model ${model} pinned to ${pinned.id}, fallbacks from ${source}`,
  };
}
