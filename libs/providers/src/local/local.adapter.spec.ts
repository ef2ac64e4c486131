import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { TASK_NAMES, TASKS, Usage, type TaskInput, type TaskName } from '@gateway/contracts';
import { ProviderConfig } from '@gateway/config';
import { ProviderError } from '../provider-error';
import { LocalAdapter, localAdapterFactory } from './local.adapter';
import { contextFor, localDeployment, solidPng, textPng } from './local-test-support';

const adapter = new LocalAdapter();
after(() => adapter.close());

async function inputs(): Promise<{ [K in TaskName]: TaskInput<K> }> {
  const image = await textPng('LOCAL 42');
  return {
    chat: { messages: [{ role: 'user', content: 'Hello there' }] },
    summarize: { text: 'Solar power is cheap. Solar panels are everywhere. Cats nap.' },
    classify: { text: 'I love it, great work!', labels: ['positive', 'negative'] },
    extract: {
      text: 'Mail bob@example.com',
      schema: { properties: { email: { type: 'string' } } },
    },
    embed: { input: ['a', 'b'], dimensions: 32 },
    'image.classify': { image },
    'image.caption': { image },
    'image.ocr': { image },
  };
}

describe('localAdapterFactory', () => {
  it('serves every task without credentials', () => {
    assert.equal(localAdapterFactory.type, 'local');
    assert.deepEqual([...localAdapterFactory.tasks].sort(), [...TASK_NAMES].sort());
    const provider = ProviderConfig.parse({ id: 'local', type: 'local' });
    assert.equal(localAdapterFactory.hasCredentials(provider), true);
    assert.equal(localAdapterFactory.create(provider).type, 'local');
  });
});

describe('LocalAdapter.call', () => {
  it('answers every task with an output that fits its contract, and token usage', async () => {
    const all = await inputs();
    const ctx = contextFor(localDeployment());
    for (const task of TASK_NAMES) {
      const result = await adapter.call(task, all[task], ctx);
      assert.doesNotThrow(() => TASKS[task].output.parse(result.output), task);
      Usage.parse(result.usage);
      assert.ok(result.usage.inputTokens > 0, `${task} input tokens`);
      if (task !== 'embed') assert.ok(result.usage.outputTokens > 0, `${task} output tokens`);
      assert.equal(result.model, 'local-rules-1');
      assert.equal(result.images, task.startsWith('image.') ? 1 : undefined, task);
    }
  });

  it('counts tokens with the tokenizer, images at a flat estimate', async () => {
    const ctx = contextFor(localDeployment());
    const r = await adapter.call('summarize', { text: 'one two three four' }, ctx);
    assert.deepEqual(r.usage, { inputTokens: 4, outputTokens: 4 });
    const red = await solidPng(10, 10, { r: 255, g: 0, b: 0 });
    const c = await adapter.call(
      'chat',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'describe' },
              { type: 'image', image: red },
            ],
          },
        ],
      },
      ctx,
    );
    assert.equal(c.usage.inputTokens, 3 + 1 + 85);
    assert.equal(c.images, 1);
  });

  it('refuses image URLs and undecodable images with a non-retryable invalid_request', async () => {
    const ctx = contextFor(localDeployment());
    for (const image of [
      { url: 'https://example.com/x.png' },
      { base64: Buffer.from('garbage').toString('base64'), mediaType: 'image/png' as const },
    ]) {
      await assert.rejects(adapter.call('image.caption', { image }, ctx), (e: unknown) => {
        return e instanceof ProviderError && e.code === 'invalid_request' && e.retryable === false;
      });
    }
  });

  it('rejects at once with cancelled when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const ctx = contextFor(localDeployment(), { signal: controller.signal });
    await assert.rejects(adapter.call('summarize', { text: 'x' }, ctx), (e: unknown) => {
      return e instanceof ProviderError && e.code === 'cancelled' && !e.retryable;
    });
  });

  it('is fast on the hot path: no simulation, no per-call heavy setup', async () => {
    const ctx = contextFor(localDeployment());
    const input = { messages: [{ role: 'user' as const, content: 'What is 2 + 2?' }] };
    await adapter.call('chat', input, ctx);
    const started = performance.now();
    for (let i = 0; i < 500; i++) await adapter.call('chat', input, ctx);
    const perCallMs = (performance.now() - started) / 500;
    assert.ok(perCallMs < 2, `${perCallMs.toFixed(3)} ms per call`);
  });
});
