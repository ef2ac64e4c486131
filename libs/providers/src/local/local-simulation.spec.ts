import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoadSimulator, sampleLatency, seededRandom } from './local-simulation';

function shareOf(sim: LoadSimulator, n: number, settings: Parameters<LoadSimulator['admit']>[1]) {
  const kinds = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const t = sim.admit('d', settings);
    const kind = t.fault?.kind ?? 'ok';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    t.release();
  }
  return (kind: string) => (kinds.get(kind) ?? 0) / n;
}

describe('LoadSimulator', () => {
  it('honours the configured fault shares over many calls', () => {
    const share = shareOf(new LoadSimulator(seededRandom(7)), 4000, {
      rateLimitRate: 0.2,
      serverErrorRate: 0.1,
      overloadedRate: 0.05,
      hangRate: 0.05,
    });
    assert.ok(
      Math.abs(share('rate_limited') - 0.2) < 0.03,
      `rate_limited ${share('rate_limited')}`,
    );
    assert.ok(Math.abs(share('server_error') - 0.1) < 0.02);
    assert.ok(Math.abs(share('overloaded') - 0.05) < 0.015);
    assert.ok(Math.abs(share('hang') - 0.05) < 0.015);
    assert.ok(Math.abs(share('ok') - 0.6) < 0.03);
  });

  it('replays the same decisions from the same seed', () => {
    const run = () => {
      const sim = new LoadSimulator(seededRandom(42));
      return Array.from({ length: 50 }, () => sim.admit('d', { rateLimitRate: 0.5 }).fault?.kind);
    };
    assert.deepEqual(run(), run());
  });

  it('rejects calls beyond capacity with rate_limited and the configured Retry-After', () => {
    const sim = new LoadSimulator(seededRandom(1));
    const settings = { capacity: 2, retryAfterMs: 250 };
    const a = sim.admit('d', settings);
    const b = sim.admit('d', settings);
    const c = sim.admit('d', settings);
    assert.equal(a.fault, undefined);
    assert.equal(b.fault, undefined);
    assert.deepEqual(c.fault, {
      kind: 'rate_limited',
      cause: 'capacity',
      retryAfterMs: 250,
      capacity: 2,
    });
    assert.equal(sim.inFlightOf('d'), 2);
    // Other deployments have their own capacity.
    assert.equal(sim.admit('other', settings).fault, undefined);
    a.release();
    a.release(); // releasing twice must not free a second slot
    assert.equal(sim.inFlightOf('d'), 1);
    assert.equal(sim.admit('d', settings).fault, undefined);
  });

  it('counts hanging calls in flight until released', () => {
    const sim = new LoadSimulator(seededRandom(3));
    const t = sim.admit('d', { hangRate: 1 });
    assert.equal(t.fault?.kind, 'hang');
    assert.equal(sim.inFlightOf('d'), 1);
    t.release();
    assert.equal(sim.inFlightOf('d'), 0);
  });

  it('raises latency with load: base × (1 + factor × inFlight / capacity)', () => {
    const sim = new LoadSimulator(seededRandom(5));
    const settings = { latencyMs: 100, capacity: 4, loadLatencyFactor: 2 };
    const latencies = Array.from({ length: 4 }, () => sim.admit('d', settings).latencyMs);
    assert.deepEqual(latencies, [100, 150, 200, 250]);
  });

  it('samples normal latency around its mean, never below 0', () => {
    const random = seededRandom(11);
    const spec = { meanMs: 50, stddevMs: 10 };
    const samples = Array.from({ length: 4000 }, () => sampleLatency(spec, random));
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    const sd = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length);
    assert.ok(Math.abs(mean - 50) < 1, `mean ${mean}`);
    assert.ok(Math.abs(sd - 10) < 1, `sd ${sd}`);
    const wide = Array.from({ length: 500 }, () =>
      sampleLatency({ meanMs: 1, stddevMs: 50 }, random),
    );
    assert.ok(wide.every((x) => x >= 0));
    assert.equal(sampleLatency(30, random), 30);
    assert.equal(sampleLatency(undefined, random), 0);
  });
});
