import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { TaskInput } from '@gateway/contracts';
import fc from 'fast-check';
import type { ChatStreamEvent } from '../provider-adapter';
import { ProviderError } from '../provider-error';
import { LocalAdapter } from './local.adapter';
import { wordPieces } from './local-stream';
import { contextFor, localDeployment } from './local-test-support';

const adapter = new LocalAdapter();
after(() => adapter.close());
const INPUT: TaskInput<'chat'> = {
  messages: [{ role: 'user', content: 'How many words are in "one two three four five"?' }],
};

async function collect(
  events: AsyncIterable<ChatStreamEvent>,
): Promise<{ events: ChatStreamEvent[]; at: number[] }> {
  const out: ChatStreamEvent[] = [];
  const at: number[] = [];
  const started = Date.now();
  for await (const e of events) {
    out.push(e);
    at.push(Date.now() - started);
  }
  return { events: out, at };
}

describe('LocalAdapter.streamChat', () => {
  it('streams the same reply as call(), word by word, then done with usage', async () => {
    const ctx = contextFor(localDeployment());
    const whole = await adapter.call('chat', INPUT, ctx);
    const { events } = await collect(adapter.streamChat(INPUT, ctx));
    const deltas = events.filter((e) => e.type === 'delta');
    assert.ok(deltas.length > 3);
    assert.equal(deltas.map((d) => d.text).join(''), whole.output.message.content);
    for (const d of deltas) assert.equal(d.text.trim().split(/\s+/).length, 1);
    assert.deepEqual(events.at(-1), { type: 'done', finishReason: 'stop', usage: whole.usage });
  });

  it('reports finishReason "length" when maxTokens cuts the reply', async () => {
    const ctx = contextFor(localDeployment());
    const { events } = await collect(adapter.streamChat({ ...INPUT, maxTokens: 3 }, ctx));
    const done = events.at(-1);
    assert.equal(done?.type, 'done');
    assert.equal(done.type === 'done' && done.finishReason, 'length');
    assert.equal(done.type === 'done' && done.usage.outputTokens, 3);
  });

  it('spreads the simulated latency over the deltas', async () => {
    const ctx = contextFor(localDeployment({ latencyMs: 200 }));
    const { events, at } = await collect(adapter.streamChat(INPUT, ctx));
    const firstDelta = at[0];
    const end = at.at(-1)!;
    assert.ok(end >= 190, `stream took ${end} ms`);
    assert.ok(firstDelta < end / 2, `first delta after ${firstDelta} ms of ${end}`);
    assert.equal(events.at(-1)?.type, 'done');
  });

  it('throws simulated faults before the first event', async () => {
    const ctx = contextFor(localDeployment({ serverErrorRate: 1 }));
    await assert.rejects(collect(adapter.streamChat(INPUT, ctx)), (e: unknown) => {
      return e instanceof ProviderError && e.code === 'server_error';
    });
  });

  it('stops with cancelled when aborted mid-stream, and frees its slot', async () => {
    const controller = new AbortController();
    const deployment = localDeployment({ latencyMs: 2000, capacity: 1 });
    const ctx = contextFor(deployment, { signal: controller.signal });
    const seen: ChatStreamEvent[] = [];
    const started = Date.now();
    setTimeout(() => controller.abort(), 250);
    await assert.rejects(
      (async () => {
        for await (const e of adapter.streamChat(INPUT, ctx)) seen.push(e);
      })(),
      (e: unknown) => e instanceof ProviderError && e.code === 'cancelled',
    );
    assert.ok(Date.now() - started < 600);
    assert.ok(seen.length >= 1 && seen.every((e) => e.type === 'delta'));
    assert.equal(adapter.inFlight(deployment.id), 0);
  });
});

describe('wordPieces', () => {
  it('splits any text into pieces that join back to it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const pieces = wordPieces(text);
        assert.equal(pieces.join(''), text);
        for (const p of pieces) assert.ok(p.trim().split(/\s+/).length <= 1);
      }),
      { numRuns: 300 },
    );
  });
});
