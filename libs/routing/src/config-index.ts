import type { DeploymentConfig, LoadedConfig, RouteConfig } from '@gateway/config';
import type { TaskName } from '@gateway/contracts';
import { matchesAny } from './glob';

/** A deployment with everything a decision reads, flattened once per config. */
export interface DeploymentEntry {
  /** Position in `config.deployments`: the tie-breaker of every strategy. */
  readonly order: number;
  readonly id: string;
  readonly config: DeploymentConfig;
  readonly provider: string;
  readonly model: string;
  readonly region: string;
  readonly regionKey: string;
  /** Served by the embedded `local` provider type. */
  readonly isLocal: boolean;
  readonly vision: boolean;
  readonly tasks: ReadonlySet<string>;
  readonly images: boolean;
  readonly tools: boolean;
  readonly json: boolean;
  readonly contextWindow: number;
  readonly maxConcurrency: number;
  readonly inputPerTok: number;
  readonly outputPerTok: number;
  readonly perCall: number;
  readonly perImage: number;
  /** Names an allow-list pattern may match: id, aliases and the vendor model. */
  readonly names: readonly string[];
  /** Why config switched it off (no credentials), if it did. */
  readonly configDisabled?: string;
}

export interface RouteEntry {
  readonly index: number;
  readonly config: RouteConfig;
  readonly targets: readonly DeploymentEntry[];
  /** Route-level metadata pairs, compared as strings. */
  readonly metadata: readonly (readonly [string, string])[];
  /** Ranks routes: task match 2, metadata match 1. */
  readonly specificity: number;
  /** `weights` by target id; targets without one weigh 1. */
  readonly weightById: ReadonlyMap<string, number>;
}

/** Per-config lookups so a decision does no parsing and no scans over names. */
export interface RoutingIndex {
  readonly entries: readonly DeploymentEntry[];
  /** Deployment ids and aliases. */
  readonly byName: ReadonlyMap<string, DeploymentEntry>;
  /** Enabled deployments per task, non-local before local, else config order. */
  readonly defaultByTask: ReadonlyMap<TaskName, readonly DeploymentEntry[]>;
  readonly modelRoutes: ReadonlyMap<string, readonly RouteEntry[]>;
  readonly otherRoutes: readonly RouteEntry[];
  readonly knownModels: readonly string[];
  /** Which entries (by `order`) a set of allow-list patterns admits; memoised. */
  allowed(patterns: readonly string[]): Uint8Array;
}

const indexes = new WeakMap<LoadedConfig, RoutingIndex>();
const MAX_ALLOW_SETS = 512;

/** The index of a config, built on first use; a reloaded config gets its own. */
export function indexFor(config: LoadedConfig): RoutingIndex {
  let idx = indexes.get(config);
  if (!idx) {
    idx = buildIndex(config);
    indexes.set(config, idx);
  }
  return idx;
}

function toEntry(config: LoadedConfig, d: DeploymentConfig, order: number): DeploymentEntry {
  const caps = new Set<string>(d.capabilities);
  const off = config.disabled.find((x) => x.deployment === d.id);
  return {
    order,
    id: d.id,
    config: d,
    provider: d.provider,
    model: d.model,
    region: d.region,
    regionKey: d.region.toLowerCase(),
    isLocal: config.providerById.get(d.provider)?.type === 'local',
    vision: d.class === 'vision',
    tasks: new Set<string>(d.tasks),
    images: caps.has('images'),
    tools: caps.has('tools'),
    json: caps.has('json'),
    contextWindow: d.contextWindow,
    maxConcurrency: d.limits.maxConcurrency,
    inputPerTok: (d.price.inputPerMTok ?? 0) / 1e6,
    outputPerTok: (d.price.outputPerMTok ?? 0) / 1e6,
    perCall: d.price.perCall ?? 0,
    perImage: d.price.perImage ?? 0,
    names: [d.id, ...d.aliases, d.model],
    configDisabled: off?.reason,
  };
}

function buildIndex(config: LoadedConfig): RoutingIndex {
  const entries = config.deployments.map((d, i) => toEntry(config, d, i));
  const byId = new Map(entries.map((e) => [e.id, e]));
  const byName = new Map(byId);
  for (const e of entries) for (const a of e.config.aliases) if (!byName.has(a)) byName.set(a, e);

  const defaultByTask = new Map<TaskName, DeploymentEntry[]>();
  const enabled = entries.filter((e) => !e.configDisabled);
  const ordered = [...enabled.filter((e) => !e.isLocal), ...enabled.filter((e) => e.isLocal)];
  for (const e of ordered) {
    for (const t of e.config.tasks as TaskName[]) {
      const list = defaultByTask.get(t) ?? [];
      list.push(e);
      defaultByTask.set(t, list);
    }
  }

  const modelRoutes = new Map<string, RouteEntry[]>();
  const otherRoutes: RouteEntry[] = [];
  config.routes.forEach((r, index) => {
    const metadata = Object.entries(r.match.metadata ?? {});
    const route: RouteEntry = {
      index,
      config: r,
      targets: r.targets.map((t) => byId.get(t)).filter((e) => e !== undefined),
      metadata,
      specificity: (r.match.task ? 2 : 0) + (metadata.length > 0 ? 1 : 0),
      weightById: new Map(r.targets.map((t, i) => [t, r.weights?.[i] ?? 1])),
    };
    if (r.match.model === undefined) otherRoutes.push(route);
    else modelRoutes.set(r.match.model, [...(modelRoutes.get(r.match.model) ?? []), route]);
  });
  // Most specific first; sort is stable, so config order breaks ties.
  const bySpecificity = (a: RouteEntry, b: RouteEntry) => b.specificity - a.specificity;
  otherRoutes.sort(bySpecificity);
  for (const list of modelRoutes.values()) list.sort(bySpecificity);

  const knownModels = [...new Set([...modelRoutes.keys(), ...byName.keys()])];
  const allowSets = new Map<string, Uint8Array>();
  return {
    entries,
    byName,
    defaultByTask,
    modelRoutes,
    otherRoutes,
    knownModels,
    allowed(patterns) {
      const key = patterns.join('\n');
      let set = allowSets.get(key);
      if (!set) {
        set = new Uint8Array(entries.length);
        for (const e of entries) set[e.order] = matchesAny(e.names, patterns) ? 1 : 0;
        if (allowSets.size >= MAX_ALLOW_SETS) allowSets.clear();
        allowSets.set(key, set);
      }
      return set;
    },
  };
}
