import { buildConfig, type AdapterCatalogue, type LoadedConfig } from '@gateway/config';
import { TASK_NAMES, type TaskName } from '@gateway/contracts';
import type { DeploymentStats, LiveStats, RoutingContext, RoutingRequest } from './types';

/** Test double of the providers' catalogue: every type serves every task; keys switch on. */
export const fakeCatalogue: AdapterCatalogue = {
  types: ['openai', 'anthropic', 'vision-co', 'local'],
  tasksOf: (type) =>
    ['openai', 'anthropic', 'vision-co', 'local'].includes(type)
      ? new Set<TaskName>(TASK_NAMES)
      : undefined,
  hasCredentials: (p) => p.type === 'local' || p.apiKey !== undefined,
};

export const PROVIDERS = [
  { id: 'openai', type: 'openai', apiKey: 'k' },
  { id: 'anthropic', type: 'anthropic', apiKey: 'k' },
  { id: 'vision', type: 'vision-co', apiKey: 'k' },
  { id: 'nokey', type: 'openai' },
  { id: 'local', type: 'local' },
];

type Raw = Record<string, unknown>;

/** A deployment entry for gateway.yaml with sensible defaults for tests. */
export function dep(id: string, extra: Raw = {}): Raw {
  return {
    id,
    provider: 'openai',
    model: id,
    class: 'llm',
    tasks: ['chat', 'summarize', 'classify', 'extract'],
    region: 'us',
    price: { inputPerMTok: 1, outputPerMTok: 2 },
    ...extra,
  };
}

export function config(raw: { deployments: Raw[]; routes?: Raw[]; tenants?: Raw[] }): LoadedConfig {
  return buildConfig({ providers: PROVIDERS, ...raw }, fakeCatalogue);
}

/** Live stats from a plain record. */
export function stats(byId: Record<string, DeploymentStats> = {}): LiveStats {
  const m = new Map(Object.entries(byId));
  return { get: (id) => m.get(id) };
}

export function request(extra: Partial<RoutingRequest> = {}): RoutingRequest {
  return {
    task: 'chat',
    inputTokens: 100,
    maxOutputTokens: 100,
    hasImages: false,
    needsJson: false,
    needsTools: false,
    ...extra,
  };
}

export function context(cfg: LoadedConfig, extra: Partial<RoutingContext> = {}): RoutingContext {
  return { config: cfg, tenant: { id: 't1' }, stats: stats(), ...extra };
}
