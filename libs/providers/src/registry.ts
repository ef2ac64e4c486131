import type { TaskName } from '@gateway/contracts';
import type { AdapterCatalogue, LoadedConfig, ProviderConfig } from '@gateway/config';
import type { AdapterFactory, ProviderAdapter } from './provider-adapter';
import { localAdapterFactory } from './local/local.adapter';
import { anthropicAdapterFactory } from './anthropic/anthropic.adapter';
import { azureOpenAiAdapterFactory } from './azure-openai/azure-openai.adapter';
import { bedrockAdapterFactory } from './bedrock/bedrock.adapter';
import { geminiAdapterFactory } from './gemini/gemini.adapter';
import { googleVisionAdapterFactory } from './google-vision/google-vision.adapter';
import { openaiAdapterFactory } from './openai/openai.adapter';
import { openAiCompatibleAdapterFactory } from './openai-compatible/openai-compatible.adapter';

/** Every adapter the gateway ships, by config `type`. Explicit on purpose: no discovery. */
const FACTORIES: readonly AdapterFactory[] = [
  localAdapterFactory,
  openaiAdapterFactory,
  azureOpenAiAdapterFactory,
  openAiCompatibleAdapterFactory,
  anthropicAdapterFactory,
  geminiAdapterFactory,
  bedrockAdapterFactory,
  googleVisionAdapterFactory,
];

const byType = new Map(FACTORIES.map((f) => [f.type, f]));

/** Lets config check deployments against what each adapter type can do. */
export const adapterCatalogue: AdapterCatalogue = {
  types: [...byType.keys()],
  tasksOf: (type: string): ReadonlySet<TaskName> | undefined => byType.get(type)?.tasks,
  hasCredentials: (p: ProviderConfig) => byType.get(p.type)?.hasCredentials(p) ?? false,
  configProblems: (p: ProviderConfig) => byType.get(p.type)?.configProblems?.(p) ?? [],
};

/** Builds adapters lazily, one per provider, and hands them out by deployment. */
export class ProviderRegistry {
  private readonly adapters = new Map<string, ProviderAdapter>();

  constructor(private config: LoadedConfig) {}

  /** The adapter serving a deployment. Throws naming the fix when none can. */
  adapterFor(deploymentId: string): ProviderAdapter {
    const deployment = this.config.deploymentById.get(deploymentId);
    if (!deployment) throw new Error(`Unknown deployment "${deploymentId}"`);
    const provider = this.config.providerById.get(deployment.provider)!;
    let adapter = this.adapters.get(provider.id);
    if (!adapter) {
      const factory = byType.get(provider.type);
      if (!factory) {
        throw new Error(
          `No adapter for provider type "${provider.type}" (provider "${provider.id}"); known: ${[...byType.keys()].join(', ')}`,
        );
      }
      adapter = factory.create(provider);
      this.adapters.set(provider.id, adapter);
    }
    return adapter;
  }

  /**
   * Swaps in a reloaded config: credentials and settings change without a restart. A
   * provider that is gone, or whose `type` names another adapter now, loses its adapter
   * (closed once its calls in flight end); the next call builds the right one.
   */
  reconfigure(config: LoadedConfig): void {
    this.config = config;
    for (const [id, adapter] of this.adapters) {
      const p = config.providerById.get(id);
      if (p && p.type === adapter.type && adapter.reconfigure) {
        adapter.reconfigure(p);
        continue;
      }
      this.adapters.delete(id);
      void adapter.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.adapters.values()].map((a) => a.close()));
    this.adapters.clear();
  }
}
