import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildConfig, ConfigError, type LoadedConfig } from '@gateway/config';
import { TASK_CLASS, TASK_NAMES, type TaskName } from '@gateway/contracts';
import { adapterCatalogue, ProviderRegistry } from './registry';

const ALL = TASK_NAMES;
const NO_EMBED = TASK_NAMES.filter((t) => t !== 'embed');

/** Which tasks each adapter type serves: the table docs/providers.md states. */
const SERVES: Record<string, readonly TaskName[]> = {
  local: ALL,
  openai: ALL,
  'azure-openai': ALL,
  'openai-compatible': ALL,
  anthropic: NO_EMBED,
  gemini: ALL,
  bedrock: NO_EMBED,
  'google-vision': ['image.classify', 'image.ocr'],
};

/** Provider settings each type needs to boot (credentials, and baseUrl where it has no default). */
const PROVIDER_OF: Record<string, Record<string, unknown>> = {
  local: {},
  openai: { apiKey: 'k' },
  'azure-openai': { apiKey: 'k', baseUrl: 'https://r.openai.azure.com' },
  'openai-compatible': { baseUrl: 'http://127.0.0.1:9/v1' },
  anthropic: { apiKey: 'k' },
  gemini: { apiKey: 'k' },
  bedrock: { region: 'us-east-1', accessKeyId: 'a', secretAccessKey: 's' },
  'google-vision': { apiKey: 'k' },
};

function claim(type: string, task: TaskName) {
  return {
    providers: [{ id: 'p', type, ...PROVIDER_OF[type] }],
    deployments: [{ id: 'd', provider: 'p', model: 'm', class: TASK_CLASS[task], tasks: [task] }],
  };
}

function problemsOf(raw: unknown): string[] {
  try {
    buildConfig(raw, adapterCatalogue);
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
}

/** A config whose one deployment runs on provider `p` of the given shape. */
function configWith(provider: Record<string, unknown> | undefined): LoadedConfig {
  return buildConfig(
    {
      providers: provider ? [{ id: 'p', ...provider }] : [],
      deployments: provider
        ? [{ id: 'chat', provider: 'p', model: 'm', class: 'llm', tasks: ['chat'] }]
        : [],
    },
    adapterCatalogue,
  );
}

const OPENAI = { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k1' };
const ANTHROPIC = { type: 'anthropic', baseUrl: 'http://127.0.0.1:9', apiKey: 'k1' };

describe('ProviderRegistry', () => {
  it('keeps one adapter per provider and hands new settings to it on reload', async () => {
    const registry = new ProviderRegistry(configWith(OPENAI));
    const adapter = registry.adapterFor('chat');
    assert.equal(registry.adapterFor('chat'), adapter);
    registry.reconfigure(configWith({ ...OPENAI, apiKey: 'k2' }));
    assert.equal(registry.adapterFor('chat'), adapter, 'same pool, new credentials');
    await registry.close();
  });

  it('builds the adapter of the new type when a reload changes a provider type', async () => {
    const registry = new ProviderRegistry(configWith(OPENAI));
    const before = registry.adapterFor('chat');
    let closed = false;
    const close = before.close.bind(before);
    before.close = () => ((closed = true), close());
    registry.reconfigure(configWith(ANTHROPIC));
    const after = registry.adapterFor('chat');
    assert.equal(after.type, 'anthropic');
    assert.ok(closed, 'the old adapter closed its pool');
    await registry.close();
  });

  it('closes the adapter of a provider a reload removes', async () => {
    const registry = new ProviderRegistry(configWith(OPENAI));
    const adapter = registry.adapterFor('chat');
    let closed = false;
    const close = adapter.close.bind(adapter);
    adapter.close = () => ((closed = true), close());
    registry.reconfigure(configWith(undefined));
    assert.ok(closed);
    assert.throws(() => registry.adapterFor('chat'), /Unknown deployment "chat"/);
    await registry.close();
  });

  it('serves exactly the documented tasks per adapter type, and boot names the fix for the rest', () => {
    assert.deepEqual([...adapterCatalogue.types].sort(), Object.keys(SERVES).sort());
    for (const [type, served] of Object.entries(SERVES)) {
      assert.deepEqual([...adapterCatalogue.tasksOf(type)!].sort(), [...served].sort(), type);
      for (const task of TASK_NAMES) {
        const problems = problemsOf(claim(type, task));
        if (served.includes(task)) {
          assert.deepEqual(problems, [], `${type} serves ${task}`);
          continue;
        }
        const able = Object.keys(SERVES).filter((t) => SERVES[t].includes(task));
        assert.deepEqual(problems, [
          `deployments[0].tasks: provider type "${type}" cannot serve "${task}"; it serves ${[...adapterCatalogue.tasksOf(type)!].join(', ')}. Remove "${task}" from the tasks, or serve it from a deployment on a provider of type ${able.join(', ')}`,
        ]);
      }
    }
  });

  it('refuses at boot an Azure OpenAI or OpenAI-compatible provider without baseUrl', () => {
    assert.deepEqual(
      problemsOf({
        providers: [
          { id: 'az', type: 'azure-openai', apiKey: 'k' },
          { id: 'vllm', type: 'openai-compatible' },
        ],
      }),
      [
        'providers[0].baseUrl: provider "az" (azure-openai) needs its resource root, e.g. https://my-resource.openai.azure.com',
        'providers[1].baseUrl: provider "vllm" (openai-compatible) needs the server\'s API root, e.g. http://localhost:11434/v1',
      ],
    );
  });
});
