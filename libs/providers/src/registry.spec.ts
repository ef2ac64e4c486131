import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildConfig, type LoadedConfig } from '@gateway/config';
import { adapterCatalogue, ProviderRegistry } from './registry';

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
});
