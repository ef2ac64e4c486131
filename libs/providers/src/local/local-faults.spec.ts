import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderError } from '../provider-error';
import { LocalAdapter } from './local.adapter';
import { seededRandom } from './local-simulation';
import { contextFor, localDeployment } from './local-test-support';

const INPUT = { text: 'Solar power is cheap. Solar panels are everywhere.' };

function code(e: unknown): string {
  return e instanceof ProviderError ? e.code : `not a ProviderError: ${String(e)}`;
}

describe('simulated faults through the adapter', () => {
  it('answers rate_limited on about rateLimitRate of calls, with Retry-After and rate-limit info', async () => {
    const adapter = new LocalAdapter({ random: seededRandom(2026) });
    const ctx = contextFor(localDeployment({ rateLimitRate: 0.3, retryAfterMs: 1500 }));
    let limited = 0;
    for (let i = 0; i < 400; i++) {
      try {
        await adapter.call('summarize', INPUT, ctx);
      } catch (e) {
        assert.ok(e instanceof ProviderError);
        assert.equal(e.code, 'rate_limited');
        assert.equal(e.retryable, true);
        assert.equal(e.status, 429);
        assert.equal(e.retryAfterMs, 1500);
        assert.equal(e.rateLimit?.retryAfterMs, 1500);
        assert.equal(e.rateLimit?.remainingRequests, 0);
        limited++;
      }
    }
    assert.ok(limited >= 400 * 0.22 && limited <= 400 * 0.38, `${limited} of 400 rate-limited`);
  });

  it('maps serverErrorRate and overloadedRate to retryable server_error and overloaded', async () => {
    const adapter = new LocalAdapter({ random: seededRandom(1) });
    const e500 = await adapter
      .call('summarize', INPUT, contextFor(localDeployment({ serverErrorRate: 1 })))
      .catch((e: unknown) => e);
    assert.equal(code(e500), 'server_error');
    assert.equal((e500 as ProviderError).status, 500);
    const e503 = await adapter
      .call(
        'summarize',
        INPUT,
        contextFor(localDeployment({ overloadedRate: 1, retryAfterMs: 700 })),
      )
      .catch((e: unknown) => e);
    assert.equal(code(e503), 'overloaded');
    assert.equal((e503 as ProviderError).retryAfterMs, 700);
    assert.ok((e503 as ProviderError).retryable);
  });

  it('answers rate_limited beyond capacity while calls are in flight, then recovers', async () => {
    const adapter = new LocalAdapter();
    const deployment = localDeployment({ capacity: 2, latencyMs: 150, retryAfterMs: 100 });
    const ctx = contextFor(deployment);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => adapter.call('summarize', INPUT, ctx)),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
    const limited = outcomes.filter(
      (o) => o.status === 'rejected' && code(o.reason) === 'rate_limited',
    );
    assert.equal(ok, 2);
    assert.equal(limited.length, 3);
    const first = (limited[0] as PromiseRejectedResult).reason as ProviderError;
    assert.equal(first.retryAfterMs, 100);
    assert.equal(first.rateLimit?.limitRequests, 2);
    assert.equal(adapter.inFlight(deployment.id), 0);
    await adapter.call('summarize', INPUT, ctx);
  });

  it('hangs until ctx.timeoutMs, then throws timeout', async () => {
    const adapter = new LocalAdapter();
    const ctx = contextFor(localDeployment({ hangRate: 1 }), { timeoutMs: 120 });
    const started = Date.now();
    await assert.rejects(
      adapter.call('summarize', INPUT, ctx),
      (e: unknown) => code(e) === 'timeout',
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 110 && elapsed < 1000, `timed out after ${elapsed} ms`);
  });

  it('times out when the simulated latency exceeds the deadline', async () => {
    const adapter = new LocalAdapter();
    const ctx = contextFor(localDeployment({ latencyMs: 5000 }), { timeoutMs: 80 });
    const started = Date.now();
    await assert.rejects(
      adapter.call('embed', { input: 'x' }, ctx),
      (e: unknown) => code(e) === 'timeout',
    );
    assert.ok(Date.now() - started < 1000);
  });

  it('waits the simulated latency, fixed or normal', async () => {
    const adapter = new LocalAdapter({ random: seededRandom(9) });
    let started = Date.now();
    await adapter.call('embed', { input: 'x' }, contextFor(localDeployment({ latencyMs: 60 })));
    assert.ok(Date.now() - started >= 55);
    started = Date.now();
    const normal = localDeployment({ latencyMs: { meanMs: 60, stddevMs: 0 } });
    await adapter.call('embed', { input: 'x' }, contextFor(normal));
    assert.ok(Date.now() - started >= 55);
  });

  it('rejects with cancelled as soon as the signal aborts, in latency and in a hang', async () => {
    const adapter = new LocalAdapter();
    for (const simulate of [{ latencyMs: 10_000 }, { hangRate: 1 }]) {
      const controller = new AbortController();
      const deployment = localDeployment(simulate);
      const ctx = contextFor(deployment, { signal: controller.signal, timeoutMs: 20_000 });
      const call = adapter.call('summarize', INPUT, ctx);
      setTimeout(() => controller.abort(), 30);
      const started = Date.now();
      await assert.rejects(call, (e: unknown) => code(e) === 'cancelled');
      assert.ok(Date.now() - started < 500, `cancelled after ${Date.now() - started} ms`);
      assert.equal(adapter.inFlight(deployment.id), 0);
    }
  });
});
