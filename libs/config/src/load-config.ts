import { readFileSync } from 'node:fs';
import { TASK_CLASS, type ProviderClass, type TaskName } from '@gateway/contracts';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import {
  GatewayConfig,
  type DeploymentConfig,
  type ProviderConfig,
  type RouteConfig,
  type TenantConfig,
} from './gateway-config.schema';
import { interpolateEnv } from './interpolate';

/** What the providers library tells config about each adapter type, to check deployments. */
export interface AdapterCatalogue {
  /** Tasks an adapter type can serve, or undefined when no adapter has that type. */
  tasksOf(type: string): ReadonlySet<TaskName> | undefined;
  /** Credentials the adapter type needs; a provider without them is switched off. */
  hasCredentials(provider: ProviderConfig): boolean;
  /** Settings the adapter type cannot work without, each `<key>: <what to set>`. */
  configProblems?(provider: ProviderConfig): string[];
  readonly types: readonly string[];
}

/** The validated, frozen configuration every app works from. */
export interface LoadedConfig extends GatewayConfig {
  readonly deploymentById: ReadonlyMap<string, DeploymentConfig>;
  readonly providerById: ReadonlyMap<string, ProviderConfig>;
  readonly tenantById: ReadonlyMap<string, TenantConfig>;
  /** Deployment ids switched off because their provider lacks credentials. */
  readonly disabled: readonly { deployment: string; reason: string }[];
  /** Which file and when. */
  readonly source: { path: string; loadedAt: string };
}

export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super(`Invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOCAL_DEFAULTS: Record<ProviderClass, { tasks: TaskName[] }> = {
  llm: { tasks: ['chat', 'summarize', 'classify', 'extract'] },
  embeddings: { tasks: ['embed'] },
  vision: { tasks: ['image.classify', 'image.caption', 'image.ocr'] },
};

function formatZodIssues(err: z.ZodError): string[] {
  return err.issues.map((i) => {
    const path = i.path
      .map((p, n) => (typeof p === 'number' ? `[${p}]` : n === 0 ? String(p) : `.${String(p)}`))
      .join('');
    return `${path || '(root)'}: ${i.message}`;
  });
}

/** Reads, interpolates and validates gateway.yaml (a missing file is an empty config). */
export function loadGatewayConfig(
  path: string,
  vars: Readonly<Record<string, string | undefined>>,
  catalogue: AdapterCatalogue,
  text?: string,
): LoadedConfig {
  let raw: unknown = {};
  let body = text;
  if (body === undefined) {
    try {
      body = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      body = '';
    }
  }
  try {
    raw = parseYaml(body) ?? {};
  } catch (e) {
    throw new ConfigError([`YAML: ${(e as Error).message}`], path);
  }
  return buildConfig(interpolateEnv(raw, vars), catalogue, path);
}

export function buildConfig(
  raw: unknown,
  catalogue: AdapterCatalogue,
  source = '(inline)',
): LoadedConfig {
  const parsed = GatewayConfig.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatZodIssues(parsed.error), source);
  const cfg = parsed.data;
  const problems: string[] = [];
  const disabled: { deployment: string; reason: string }[] = [];

  if (!cfg.providers.some((p) => p.type === 'local')) cfg.providers.push(defaultLocalProvider());
  const providerById = new Map<string, ProviderConfig>();
  cfg.providers.forEach((p, i) => {
    if (providerById.has(p.id)) problems.push(`providers[${i}].id: duplicate id "${p.id}"`);
    providerById.set(p.id, p);
    if (!catalogue.tasksOf(p.type)) {
      problems.push(
        `providers[${i}].type: no adapter named "${p.type}"; known: ${catalogue.types.join(', ')}`,
      );
    } else {
      for (const problem of catalogue.configProblems?.(p) ?? []) {
        problems.push(`providers[${i}].${problem}`);
      }
    }
  });
  const localProvider = cfg.providers.find((p) => p.type === 'local')!;

  const deploymentById = new Map<string, DeploymentConfig>();
  const enabled: DeploymentConfig[] = [];
  cfg.deployments.forEach((d, i) => {
    if (deploymentById.has(d.id)) problems.push(`deployments[${i}].id: duplicate id "${d.id}"`);
    const provider = providerById.get(d.provider);
    if (!provider) {
      problems.push(
        `deployments[${i}].provider: unknown provider "${d.provider}"; known: ${[...providerById.keys()].join(', ')}`,
      );
      return;
    }
    const served = catalogue.tasksOf(provider.type);
    for (const t of d.tasks as TaskName[]) {
      if (TASK_CLASS[t] !== d.class) {
        problems.push(
          `deployments[${i}].tasks: task "${t}" belongs to class "${TASK_CLASS[t]}", not "${d.class}"; move it to a ${TASK_CLASS[t]} deployment`,
        );
      } else if (served && !served.has(t)) {
        const able = catalogue.types.filter((type) => catalogue.tasksOf(type)?.has(t));
        problems.push(
          `deployments[${i}].tasks: provider type "${provider.type}" cannot serve "${t}"; it serves ${[...served].join(', ')}. Remove "${t}" from the tasks, or serve it from a deployment on a provider of type ${able.join(', ')}`,
        );
      }
    }
    deploymentById.set(d.id, d);
    if (!catalogue.hasCredentials(provider)) {
      disabled.push({ deployment: d.id, reason: `provider "${provider.id}" has no credentials` });
    } else {
      enabled.push(d);
    }
  });

  // Every class gets a local deployment when nothing else enabled serves its tasks, so a
  // config without vendor keys still boots and serves every task.
  for (const cls of Object.keys(LOCAL_DEFAULTS) as ProviderClass[]) {
    const id = `local-${cls}`;
    const missing = LOCAL_DEFAULTS[cls].tasks.filter(
      (t) => !enabled.some((d) => d.tasks.includes(t)),
    );
    if (missing.length === 0 || deploymentById.has(id)) continue;
    const d = defaultLocalDeployment(id, localProvider.id, cls);
    cfg.deployments.push(d);
    deploymentById.set(id, d);
    enabled.push(d);
  }

  cfg.deployments.forEach((d, i) => {
    d.aliases.forEach((a, k) => {
      if (deploymentById.has(a) && a !== d.id)
        problems.push(
          `deployments[${i}].aliases[${k}]: alias "${a}" of ${d.id} is also a deployment id; rename the alias or drop it`,
        );
    });
  });

  cfg.routes.forEach((r: RouteConfig, i) => {
    r.targets.forEach((t, j) => {
      if (!deploymentById.has(t)) {
        problems.push(
          `routes[${i}].targets[${j}]: unknown deployment "${t}"; known: ${[...deploymentById.keys()].join(', ')}`,
        );
      } else if (r.match.task && !deploymentById.get(t)!.tasks.includes(r.match.task)) {
        const serving = cfg.deployments.filter((d) => d.tasks.includes(r.match.task!));
        problems.push(
          `routes[${i}].targets[${j}]: deployment "${t}" does not serve task "${r.match.task}"; add the task to its tasks or target one that serves it: ${serving.map((d) => d.id).join(', ') || 'none yet'}`,
        );
      }
    });
    if (r.weights && r.weights.length !== r.targets.length) {
      problems.push(`routes[${i}].weights: give one weight per target (${r.targets.length})`);
    }
    if (!r.match.task && !r.match.model && !r.match.metadata) {
      problems.push(`routes[${i}].match: name a task, a model alias or metadata to match`);
    }
  });

  const tenantById = new Map<string, TenantConfig>();
  cfg.tenants.forEach((t, i) => {
    if (tenantById.has(t.id)) problems.push(`tenants[${i}].id: duplicate id "${t.id}"`);
    tenantById.set(t.id, t);
  });

  if (problems.length > 0) throw new ConfigError(problems, source);
  return deepFreeze({
    ...cfg,
    deploymentById,
    providerById,
    tenantById,
    disabled,
    source: { path: source, loadedAt: new Date().toISOString() },
  });
}

function defaultLocalProvider(): ProviderConfig {
  return { id: 'local', type: 'local', timeoutMs: 60_000, maxConnections: 128 };
}

function defaultLocalDeployment(
  id: string,
  provider: string,
  cls: ProviderClass,
): DeploymentConfig {
  return {
    id,
    provider,
    model: `local-${cls}`,
    class: cls,
    tasks: LOCAL_DEFAULTS[cls].tasks,
    region: 'local',
    aliases: [],
    price: {},
    limits: { maxConcurrency: 32 },
    contextWindow: 1_000_000,
    maxOutputTokens: 4096,
    capabilities: cls === 'llm' ? ['json', 'streaming'] : cls === 'vision' ? ['images'] : [],
    attempts: 3,
  };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    if (!(o instanceof Map)) Object.values(o).forEach(deepFreeze);
    Object.freeze(o);
  }
  return o;
}
