import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from './decide';
import { config, context, dep, request, stats } from './spec-helpers';
import { startTier } from './strategies';
import type { RoutingOutcome, RoutingRequest } from './types';

function ids(o: RoutingOutcome): string[] {
  assert.ok(o.ok, o.ok ? '' : `${o.code}: ${o.message}`);
  return o.decision.candidates;
}

const cfg = config({
  deployments: [
    dep('a', { price: { inputPerMTok: 5, outputPerMTok: 15 } }),
    dep('b', { price: { inputPerMTok: 0.5, outputPerMTok: 1.5 } }),
    dep('c', { price: { perCall: 0.0001 } }),
  ],
  routes: [
    { match: { task: 'chat' }, strategy: 'priority', targets: ['a', 'b', 'c'] },
    { match: { model: 'w' }, strategy: 'weighted', targets: ['a', 'b', 'c'], weights: [1, 3, 0] },
    { match: { model: 'tiers' }, strategy: 'cascade', targets: ['c', 'b', 'a'] },
  ],
});
const run = (r: Partial<RoutingRequest>, s = stats()) =>
  ids(
    decide(request({ inputTokens: 1000, maxOutputTokens: 200, ...r }), context(cfg, { stats: s })),
  );

describe('strategies', () => {
  it('priority keeps the route order', () => {
    assert.deepEqual(run({}), ['a', 'b', 'c']);
  });

  it('least-cost orders by expected cost', () => {
    // a: 1000×5/M + 100×15/M = .0065, b: .00065, c: .0001
    assert.deepEqual(run({ strategy: 'least-cost' }), ['c', 'b', 'a']);
  });

  it('least-latency orders by EWMA, unknown latency last', () => {
    const s = stats({ a: { latencyEwmaMs: 300 }, c: { latencyEwmaMs: 90 } });
    assert.deepEqual(run({ strategy: 'least-latency' }, s), ['c', 'a', 'b']);
  });

  it('least-busy orders by (queue + in flight) / limit, default limit maxConcurrency', () => {
    const s = stats({
      a: { queueDepth: 1, inFlight: 1, limit: 10 }, // 0.2
      b: { queueDepth: 8, inFlight: 8 }, // 16 / 16 = 1
      c: { inFlight: 5, limit: 100 }, // 0.05
    });
    assert.deepEqual(run({ strategy: 'least-busy' }, s), ['c', 'a', 'b']);
  });

  it('weighted is stable per sticky key and follows the weights over many keys', () => {
    const first = run({ model: 'w', stickyKey: 'user-42' });
    for (let i = 0; i < 5; i++) assert.deepEqual(run({ model: 'w', stickyKey: 'user-42' }), first);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 4000; i++) counts[run({ model: 'w', stickyKey: `job-${i}` })[0]]++;
    assert.equal(counts.c, 0, 'a zero weight is never drawn first');
    assert.ok(Math.abs(counts.b / 4000 - 0.75) < 0.04, JSON.stringify(counts));
    // the rest follow by weight, heaviest first
    assert.deepEqual(run({ model: 'w', stickyKey: 'job-1' }).slice(-1), ['c']);
  });

  it('cascade sends simple jobs to the cheap tier and hard ones to the strong tier', () => {
    assert.deepEqual(run({ model: 'tiers', complexity: 0.05 }), ['c', 'b', 'a']);
    // three tiers: the range above the threshold is split between the upper two
    assert.deepEqual(run({ model: 'tiers', complexity: 0.5 }), ['b', 'a', 'c']);
    assert.deepEqual(run({ model: 'tiers', complexity: 0.95 }), ['a', 'b', 'c']);
  });

  it('cascade threshold comes from the context', () => {
    const o = decide(
      request({ model: 'tiers', complexity: 0.3 }),
      context(cfg, { cascade: { threshold: 0.2 } }),
    );
    assert.notEqual(ids(o)[0], 'c');
  });

  it('cascade without a route ranks tiers by worst-case cost', () => {
    const c = config({ deployments: [dep('strong', { price: { inputPerMTok: 9 } }), dep('weak')] });
    const r = request({ strategy: 'cascade', complexity: 0 });
    assert.deepEqual(ids(decide(r, context(c))), ['weak', 'strong']);
    assert.deepEqual(ids(decide({ ...r, complexity: 1 }, context(c))), ['strong', 'weak']);
  });

  it('startTier maps scores to tiers', () => {
    assert.equal(startTier(0.1, 0.35, 2), 0);
    assert.equal(startTier(0.35, 0.35, 2), 1);
    assert.equal(startTier(1, 0.35, 2), 1);
    assert.equal(startTier(0.9, 1, 3), 0);
    assert.equal(startTier(1, 1, 3), 2);
    assert.equal(startTier(0.9, 0.35, 1), 0);
  });
});
