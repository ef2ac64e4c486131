import { buildConfig, type AdapterCatalogue, type LoadedConfig } from '@gateway/config';
import { TASK_NAMES, type TaskName } from '@gateway/contracts';
import type { DeploymentStats, LiveStats } from '@gateway/routing';

/** A deterministic PRNG (mulberry32) so every run generates the same fleet and workload. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const catalogue: AdapterCatalogue = {
  types: ['openai', 'anthropic', 'local'],
  tasksOf: () => new Set<TaskName>(TASK_NAMES),
  hasCredentials: (p) => p.type === 'local' || p.apiKey !== undefined,
};
const providers = [
  { id: 'openai', type: 'openai', apiKey: 'bench' },
  { id: 'anthropic', type: 'anthropic', apiKey: 'bench' },
  { id: 'local', type: 'local' },
];
const LLM_TASKS = ['chat', 'summarize', 'classify', 'extract'];
const REGIONS = ['us', 'us-east', 'eu', 'eu-west', 'eu-central', 'ap-south'];

/**
 * 100 llm deployments across regions, prices and capabilities, all serving chat, with
 * routes of 100 targets per strategy (request `strategy` overrides them in the bench).
 */
export function fleetConfig(): LoadedConfig {
  const r = rng(42);
  const deployments = Array.from({ length: 100 }, (_, i) => ({
    id: `${i % 3 === 0 ? 'claude' : 'gpt'}-${i}`,
    provider: i % 3 === 0 ? 'anthropic' : 'openai',
    model: `model-${i}`,
    class: 'llm',
    tasks: LLM_TASKS,
    region: REGIONS[i % REGIONS.length],
    aliases: [`alias-${i}`],
    price: {
      inputPerMTok: +(0.1 + r() * 5).toFixed(2),
      outputPerMTok: +(0.4 + r() * 20).toFixed(2),
    },
    limits: { maxConcurrency: 8 + Math.floor(r() * 64) },
    contextWindow: [32_000, 128_000, 200_000][i % 3],
    capabilities: [
      'streaming',
      ...(i % 2 === 0 ? ['json'] : []),
      ...(i % 4 === 0 ? ['tools'] : []),
    ],
  }));
  const targets = deployments.map((d) => d.id);
  return buildConfig(
    {
      providers,
      deployments,
      routes: [
        { match: { task: 'chat' }, strategy: 'priority', targets },
        {
          match: { model: 'weighted' },
          strategy: 'weighted',
          targets,
          weights: targets.map((_, i) => 1 + (i % 5)),
        },
      ],
      tenants: [{ id: 'acme', region: 'eu', models: ['gpt-*', 'claude-*'] }],
    },
    catalogue,
    'bench:fleet',
  );
}

/** Live stats for the fleet: measured latencies for most, some queues, 5% open breakers. */
export function fleetStats(config: LoadedConfig): LiveStats {
  const r = rng(7);
  const m = new Map<string, DeploymentStats>();
  for (const d of config.deployments) {
    const x = r();
    m.set(d.id, {
      latencyEwmaMs: x < 0.1 ? undefined : 200 + Math.round(r() * 3000),
      queueDepth: Math.floor(r() * 40),
      inFlight: Math.floor(r() * 16),
      errorRate: r() * 0.05,
      breaker: x > 0.95 ? 'open' : 'closed',
    });
  }
  return { get: (id) => m.get(id) };
}

/** Three tiers with public list prices of typical small, mid and frontier models (USD / MTok). */
export const TIERS = [
  { id: 'small', price: { inputPerMTok: 0.15, outputPerMTok: 0.6 } },
  { id: 'mid', price: { inputPerMTok: 0.8, outputPerMTok: 4 } },
  { id: 'strong', price: { inputPerMTok: 3, outputPerMTok: 15 } },
] as const;

/** The cost comparison config: one route per policy over the same three deployments. */
export function tierConfig(): LoadedConfig {
  const tasks = ['chat', 'summarize', 'classify', 'extract'];
  const deployments = TIERS.map((t, i) => ({
    id: t.id,
    provider: i === 2 ? 'anthropic' : 'openai',
    model: t.id,
    class: 'llm',
    tasks,
    region: 'us',
    price: t.price,
    capabilities: ['json', 'tools', 'streaming'],
  }));
  const ids = TIERS.map((t) => t.id);
  return buildConfig(
    {
      providers,
      deployments,
      routes: [
        { match: { model: 'cascade' }, strategy: 'cascade', targets: ['small', 'strong'] },
        { match: { model: 'cascade-3' }, strategy: 'cascade', targets: ids },
        { match: { model: 'least-cost' }, strategy: 'least-cost', targets: ids },
        { match: { model: 'always-strong' }, strategy: 'priority', targets: ['strong'] },
      ],
    },
    catalogue,
    'bench:tiers',
  );
}
