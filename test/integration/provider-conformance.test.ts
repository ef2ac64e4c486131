/**
 * One suite, every vendor adapter: each runs against its local test server (see
 * test/support/vendor-servers) and must normalise outputs and usage, map every documented
 * error status to the taxonomy, stream, cancel, time out, and rotate keys the same way.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { TASKS, type TaskInput, type TaskName } from '@gateway/contracts';
import type { ProviderConfig } from '@gateway/config';
import type {
  CallContext,
  ChatStreamEvent,
  ProviderAdapter,
} from '../../libs/providers/src/provider-adapter';
import { ProviderError } from '../../libs/providers/src/provider-error';
import type { RateLimitInfo } from '../../libs/providers/src/rate-limit';
import {
  deploymentFor,
  PNG_BASE64,
  type StartedServer,
} from '../support/vendor-servers/conformance-cases';
import { FAKE_REPLY, FAKE_USAGE, fakeEmbedding } from '../support/vendor-servers/fake-model';
import { VENDOR_CASES } from '../support/vendor-servers/cases';

const QUESTION = 'What is the capital of France?';
const IMAGE = { base64: PNG_BASE64, mediaType: 'image/png' } as const;

const INPUTS: { [T in TaskName]: TaskInput<T> } = {
  chat: { messages: [{ role: 'user', content: QUESTION }] },
  summarize: {
    text: 'Paris has been the capital of France since the tenth century.',
    maxWords: 20,
  },
  classify: { text: 'I love it', labels: ['positive', 'negative'] },
  extract: {
    text: 'I live in Paris.',
    schema: { type: 'object', properties: { city: { type: 'string' } } },
  },
  embed: { input: ['first text', 'second text'] },
  'image.classify': { image: IMAGE, labels: ['cat', 'dog'] },
  'image.caption': { image: IMAGE },
  'image.ocr': { image: IMAGE },
};

const EXPECTED: { [T in TaskName]: unknown } = {
  chat: { message: { role: 'assistant', content: FAKE_REPLY }, finishReason: 'stop' },
  summarize: { summary: FAKE_REPLY },
  classify: { label: 'positive', scores: { positive: 0.9 } },
  extract: { data: { city: 'sample' } },
  embed: { embeddings: [fakeEmbedding(0), fakeEmbedding(1)] },
  'image.classify': { labels: [{ label: 'cat', score: 0.9 }] },
  'image.caption': { caption: FAKE_REPLY },
  'image.ocr': { text: FAKE_REPLY },
};

function assertProviderError(e: unknown): asserts e is ProviderError {
  assert.ok(e instanceof ProviderError, `expected a ProviderError, got ${String(e)}`);
}

/** A rejection check: a ProviderError with this code and retryability. */
function providerError(code: string, retryable: boolean) {
  return (e: unknown) => {
    assertProviderError(e);
    assert.equal(e.code, code, e.message);
    assert.equal(e.retryable, retryable);
    return true;
  };
}

/** Fails instead of hanging when a promise does not settle in time. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** Equal rate-limit info, with reset times (read against the clock) within a second and a half. */
function assertRateLimit(actual: RateLimitInfo | undefined, expected: RateLimitInfo) {
  assert.ok(actual, 'rate-limit info present');
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected) as [keyof RateLimitInfo, number][]) {
    if (k.endsWith('Ms')) assert.ok(Math.abs(actual[k]! - v) <= 1500, `${k}: ${actual[k]} vs ${v}`);
    else assert.equal(actual[k], v, k);
  }
}

async function collect(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

for (const c of VENDOR_CASES) {
  describe(`${c.name} adapter conformance`, () => {
    let server: StartedServer;
    let provider: ProviderConfig;
    let adapter: ProviderAdapter;
    const ctx = (extra: Partial<CallContext> = {}): CallContext => ({
      deployment: deploymentFor(c, provider.id),
      signal: new AbortController().signal,
      ...extra,
    });

    before(async () => {
      server = await c.start();
      provider = c.provider(server);
      adapter = c.factory.create(provider);
    });
    after(async () => {
      await adapter.close();
      await server.close();
    });
    beforeEach(() => server.reset());
    /** The suite's standard call: chat, or the vendor's probe task when it serves no chat. */
    const probe = (a: ProviderAdapter, extra: Partial<CallContext> = {}) =>
      c.probe
        ? a.call(c.probe.task, c.probe.input as TaskInput<TaskName>, ctx(extra))
        : a.call('chat', INPUTS.chat, ctx(extra));

    it('sends the request the vendor documents', async () => {
      await probe(adapter);
      assert.equal(server.requests.length, 1);
      c.assertChatRequest(server.requests[0], provider);
    });

    if (c.factory.tasks.has('chat')) {
      it('serves chat: normalised output and usage', async () => {
        const result = await adapter.call('chat', INPUTS.chat, ctx());
        assert.deepEqual(result.output, EXPECTED.chat);
        assert.deepEqual(result.usage, FAKE_USAGE);
        assert.equal(result.images, undefined);
      });
    }

    for (const task of [...c.factory.tasks].filter((t) => t !== 'chat')) {
      it(`serves ${task}`, async () => {
        const result = await adapter.call(task, INPUTS[task], ctx());
        TASKS[task].output.parse(result.output);
        assert.deepEqual(result.output, c.expected?.[task] ?? EXPECTED[task]);
        assert.ok(result.usage.inputTokens >= 0 && result.usage.outputTokens >= 0);
        if (task.startsWith('image.')) {
          assert.equal(result.images, 1);
          c.assertImageRequest?.(server.requests[0]);
        }
      });
    }

    if (c.rateLimitOnSuccess) {
      it('reads rate-limit signals on success', async () => {
        const result = await probe(adapter);
        assertRateLimit(result.rateLimit, c.rateLimitOnSuccess!);
      });
    }

    for (const e of c.errors) {
      const name = `${e.status}${e.variant ? ` ${e.variant}` : ''}`;
      it(`maps ${name} to ${e.code} (retryable: ${e.retryable})`, async () => {
        server.scriptError(e.status, e.variant);
        await assert.rejects(probe(adapter), (err) => {
          assertProviderError(err);
          assert.equal(err.code, e.code, err.message);
          assert.equal(err.retryable, e.retryable);
          assert.equal(err.status, e.status);
          if (e.retryAfterMs !== undefined) assert.equal(err.retryAfterMs, e.retryAfterMs);
          return true;
        });
      });
    }

    if (c.streaming) {
      it('streams chat deltas and ends with finish reason and usage', async () => {
        const events = await collect(adapter.streamChat!(INPUTS.chat, ctx()));
        const deltas = events.filter((e) => e.type === 'delta');
        assert.ok(deltas.length > 1, 'several deltas');
        assert.equal(deltas.map((d) => d.text).join(''), FAKE_REPLY);
        const done = events.at(-1);
        assert.equal(done?.type, 'done');
        assert.equal(events.filter((e) => e.type === 'done').length, 1);
        if (done?.type === 'done') {
          assert.equal(done.finishReason, 'stop');
          assert.deepEqual(done.usage, FAKE_USAGE);
        }
      });

      it('surfaces an error mid-stream as a taxonomy error, after the deltas before it', async () => {
        const m = c.midStreamError;
        assert.ok(m, `${c.name} streams: its case must describe an error mid-stream`);
        server.script(m.response());
        const seen: ChatStreamEvent[] = [];
        await assert.rejects(
          (async () => {
            for await (const e of adapter.streamChat!(INPUTS.chat, ctx())) seen.push(e);
          })(),
          (err) => {
            assertProviderError(err);
            assert.equal(err.code, m.code, err.message);
            assert.equal(err.retryable, m.retryable);
            if (m.retryAfterMs !== undefined) assert.equal(err.retryAfterMs, m.retryAfterMs);
            return true;
          },
        );
        assert.equal(seen[0]?.type, 'delta', 'the stream had started');
        assert.ok(!seen.some((e) => e.type === 'done'), 'no done event after an error');
      });

      it('cancels a stream mid-way and the server sees the connection close', async () => {
        const ac = new AbortController();
        server.setChunkDelay(200);
        const it = adapter.streamChat!(INPUTS.chat, ctx({ signal: ac.signal }))[
          Symbol.asyncIterator
        ]();
        const first = await it.next();
        assert.equal(first.value?.type, 'delta');
        ac.abort();
        await assert.rejects(
          (async () => {
            for (;;) if ((await it.next()).done) return;
          })(),
          providerError('cancelled', false),
        );
        await within(server.nextAbandoned(), 2000, 'server sees the stream abandoned');
      });
    }

    it('cancels: aborting the signal fails the call as cancelled and closes the socket', async () => {
      server.script({ hang: true });
      const ac = new AbortController();
      const call = probe(adapter, { signal: ac.signal });
      await within(server.nextRequest(), 2000, 'request reaches the server');
      ac.abort();
      await assert.rejects(call, providerError('cancelled', false));
      await within(server.nextAbandoned(), 2000, 'server sees the socket close');
    });

    it('reuses kept-alive connections of its own pool for calls in sequence', async () => {
      const other = c.factory.create(provider);
      try {
        for (let i = 0; i < 6; i++) await probe(adapter);
        await probe(other);
        const ports = server.requests.map((r) => r.remotePort);
        const own = new Set(ports.slice(0, 6));
        // undici may open a second socket while the first is still draining; never one a call.
        assert.ok(own.size <= 2, `6 calls over ${own.size} connections`);
        assert.ok(!own.has(ports[6]), 'another provider adapter has its own pool');
      } finally {
        await other.close();
      }
    });

    it('times out after ctx.timeoutMs as a retryable timeout', async () => {
      server.script({ hang: true });
      const started = Date.now();
      await assert.rejects(probe(adapter, { timeoutMs: 150 }), providerError('timeout', true));
      assert.ok(Date.now() - started < 2000);
      await within(server.nextAbandoned(), 2000, 'server sees the socket close');
    });

    it('maps a refused connection to a retryable network error', async () => {
      const dead = await c.start();
      await dead.close();
      const a = c.factory.create(c.provider(dead));
      try {
        await assert.rejects(probe(a), providerError('network', true));
      } finally {
        await a.close();
      }
    });

    it('rotates keys: a key answering 401 is set aside and the next one is used', async () => {
      const a = c.factory.create(c.provider(server, ['key-one', 'key-two', 'key-three']));
      try {
        server.rejectKey('key-one');
        for (let i = 0; i < 3; i++) await probe(a);
        assert.deepEqual(server.requests.map(c.keyOf), [
          'key-one',
          'key-two',
          'key-three',
          'key-two',
        ]);
      } finally {
        await a.close();
      }
    });

    it('keeps credentials out of error messages, and takes new keys on reconfigure', async () => {
      const a = c.factory.create(c.provider(server, ['secret-key-1']));
      try {
        server.rejectKey('secret-key-1');
        await assert.rejects(probe(a), (err) => {
          assertProviderError(err);
          assert.equal(err.code, 'auth');
          assert.ok(!err.message.includes('secret-key-1'), err.message);
          assert.ok(
            !String((err.cause as Error | undefined)?.message ?? '').includes('secret-key-1'),
          );
          return true;
        });
        a.reconfigure!(c.provider(server, ['secret-key-2']));
        await probe(a);
        assert.equal(c.keyOf(server.requests.at(-1)!), 'secret-key-2');
      } finally {
        await a.close();
      }
    });
  });
}
