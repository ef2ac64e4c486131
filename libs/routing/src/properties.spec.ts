import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeploymentConfig, LoadedConfig } from '@gateway/config';
import { RoutingStrategy } from '@gateway/contracts';
import fc from 'fast-check';
import { decide } from './decide';
import { config, stats } from './spec-helpers';
import type { DeploymentStats, RoutingContext, RoutingRequest } from './types';

const LLM_TASKS = ['chat', 'summarize', 'classify', 'extract'] as const;
const REGIONS = ['us', 'us-east', 'eu', 'eu-west', 'ap', 'local', 'global'];
const PATTERNS = ['d1*', 'd*', 'x*', '*', 'd?', 'alias-*'];
const CODES = [
  'no_route',
  'residency_violation',
  'model_not_allowed',
  'unknown_model',
  'context_length',
  'cost_limit',
  'deadline',
];

/** Mostly `undefined`, so most samples reach a decision instead of a refusal. */
const rarely = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arb, weight: 1 });
const seldomTrue = fc.constantFrom(false, false, false, true);

const deploymentArb = fc.record({
  provider: fc.constantFrom('openai', 'anthropic', 'nokey', 'local'),
  tasks: fc.subarray([...LLM_TASKS], { minLength: 1 }),
  region: fc.constantFrom(...REGIONS),
  capabilities: fc.subarray(['images', 'tools', 'json', 'streaming']),
  contextWindow: fc.constantFrom(4000, 128_000, 128_000),
  price: fc.record({
    inputPerMTok: fc.nat(20),
    outputPerMTok: fc.nat(60),
    perCall: fc.constantFrom(0, 0.001),
  }),
  alias: fc.boolean(),
});

/** A random but valid config: route targets always serve the route's task. */
const configArb = fc.array(deploymentArb, { minLength: 1, maxLength: 8 }).chain((ds) => {
  const deployments = ds.map(({ alias, ...d }, i) => ({
    id: `d${i}`,
    model: `m${i}`,
    class: 'llm',
    aliases: alias ? [`alias-${i}`] : [],
    ...d,
  }));
  const routeArb = fc
    .record({
      task: fc.option(fc.constantFrom(...LLM_TASKS), { nil: undefined }),
      model: fc.constantFrom('fast', undefined),
      strategy: fc.constantFrom(...RoutingStrategy.options),
      pick: fc.array(fc.nat(deployments.length - 1), { minLength: 1, maxLength: 4 }),
      weights: fc.array(fc.nat(5), { minLength: 4, maxLength: 4 }),
    })
    .map((r) => {
      const serve = deployments.filter((d) => !r.task || d.tasks.includes(r.task));
      const targets = [...new Set(r.pick.map((i) => serve[i % Math.max(1, serve.length)]?.id))];
      if (targets.length === 0 || targets[0] === undefined || (!r.task && !r.model)) return null;
      return {
        match: { ...(r.task ? { task: r.task } : {}), ...(r.model ? { model: r.model } : {}) },
        strategy: r.strategy,
        targets,
        weights: r.weights.slice(0, targets.length),
      };
    });
  return fc
    .array(routeArb, { maxLength: 3 })
    .map((rs) => config({ deployments, routes: rs.filter((r) => r !== null) }));
});

const statsArb = fc.dictionary(
  fc.constantFrom('d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'),
  fc.record(
    {
      latencyEwmaMs: fc.nat(2000),
      queueDepth: fc.nat(50),
      inFlight: fc.nat(50),
      breaker: fc.constantFrom('closed', 'open', 'half-open'),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<DeploymentStats>,
);

const requestArb: fc.Arbitrary<RoutingRequest> = fc.record(
  {
    task: fc.constantFrom(...LLM_TASKS),
    model: rarely(fc.constantFrom('fast', 'd0', 'd3', 'alias-1', 'nope')),
    strategy: fc.constantFrom(...RoutingStrategy.options),
    maxCostUsd: rarely(fc.double({ min: 0.00001, max: 0.2, noNaN: true })),
    timeLeftMs: rarely(fc.integer({ min: 1, max: 4000 })),
    inputTokens: fc.oneof({ arbitrary: fc.nat(3000), weight: 4 }, fc.nat(200_000)),
    maxOutputTokens: fc.nat(1000),
    hasImages: seldomTrue,
    needsJson: seldomTrue,
    needsTools: seldomTrue,
    complexity: fc.double({ min: 0, max: 1, noNaN: true }),
    stickyKey: fc.string({ maxLength: 8 }),
  },
  {
    requiredKeys: [
      'task',
      'model',
      'maxCostUsd',
      'timeLeftMs',
      'inputTokens',
      'maxOutputTokens',
      'hasImages',
      'needsJson',
      'needsTools',
    ],
  },
);

const ctxArb = fc.record({
  config: configArb,
  stats: statsArb,
  region: rarely(fc.constantFrom('us', 'eu', 'ap')),
  models: rarely(fc.subarray(PATTERNS, { minLength: 1 })),
  allowedModels: rarely(fc.subarray(PATTERNS, { minLength: 1 })),
  disabled: rarely(fc.subarray(['d0', 'd1', 'd2'])),
});

type CtxSample = typeof ctxArb extends fc.Arbitrary<infer T> ? T : never;
const toContext = (c: CtxSample): RoutingContext => ({
  config: c.config,
  stats: stats(c.stats),
  tenant: { id: 'acme', region: c.region, models: c.models },
  allowedModels: c.allowedModels,
  disabled: new Set(c.disabled ?? []),
});

// An independent statement of the rules, to check decisions against.
const glob = (p: string) => new RegExp(`^${p.replaceAll('*', '.*').replaceAll('?', '.')}$`, 'i');
const allowedBy = (d: DeploymentConfig, ps?: readonly string[]) =>
  !ps || ps.some((p) => [d.id, d.model, ...d.aliases].some((n) => glob(p).test(n)));
function violation(d: DeploymentConfig, r: RoutingRequest, ctx: RoutingContext): string | null {
  const cfg: LoadedConfig = ctx.config;
  const local = cfg.providerById.get(d.provider)?.type === 'local';
  if (!d.tasks.includes(r.task)) return 'task';
  if (cfg.disabled.some((x) => x.deployment === d.id) || ctx.disabled?.has(d.id)) return 'disabled';
  if (!allowedBy(d, ctx.tenant.models) || !allowedBy(d, ctx.allowedModels)) return 'allow-list';
  if (r.hasImages && !d.capabilities.includes('images')) return 'images';
  if (r.needsJson && !d.capabilities.includes('json') && !local) return 'json';
  if (r.needsTools && !d.capabilities.includes('tools')) return 'tools';
  if (r.inputTokens + r.maxOutputTokens > d.contextWindow) return 'context';
  const reg = ctx.tenant.region;
  if (reg && d.region !== 'local' && !d.region.startsWith(reg)) return 'region';
  if (r.maxCostUsd !== undefined) {
    const p = d.price;
    const worst =
      (r.inputTokens * (p.inputPerMTok ?? 0) + r.maxOutputTokens * (p.outputPerMTok ?? 0)) / 1e6 +
      (p.perCall ?? 0);
    if (worst > r.maxCostUsd) return 'cost';
  }
  const s = ctx.stats.get(d.id);
  if (r.timeLeftMs !== undefined && s?.latencyEwmaMs !== undefined) {
    const waves = (s.queueDepth ?? 0) / Math.max(1, s.limit ?? d.limits.maxConcurrency);
    if (Math.round(s.latencyEwmaMs * (1 + waves)) > r.timeLeftMs) return 'deadline';
  }
  return null;
}

describe('routing properties', () => {
  it('never picks a candidate that breaks a rule; fallbacks are distinct, open breakers last', () => {
    fc.assert(
      fc.property(requestArb, ctxArb, (r, c) => {
        const ctx = toContext(c);
        const o = decide(r, ctx);
        if (!o.ok) {
          assert.ok(CODES.includes(o.code) && o.message.length > 20);
          return;
        }
        const { candidates, deployment } = o.decision;
        assert.equal(candidates[0], deployment);
        assert.equal(new Set(candidates).size, candidates.length);
        for (const id of candidates) {
          const v = violation(ctx.config.deploymentById.get(id)!, r, ctx);
          assert.equal(v, null, `${id} violates ${v}`);
        }
        const open = candidates.map((id) => ctx.stats.get(id)?.breaker === 'open');
        assert.ok(open.indexOf(true) === -1 || !open.slice(open.indexOf(true)).includes(false));
      }),
      { numRuns: 300 },
    );
  });

  it('without a route or model, refuses only when no deployment for the task fits', () => {
    fc.assert(
      fc.property(requestArb, ctxArb, (r0, c) => {
        const r = { ...r0, model: undefined };
        const ctx = toContext(c);
        if (ctx.config.routes.some((x) => !x.match.model)) return;
        const o = decide(r, ctx);
        const fits = ctx.config.deployments.filter((d) => violation(d, r, ctx) === null);
        assert.equal(o.ok, fits.length > 0);
        if (o.ok) assert.deepEqual([...o.decision.candidates].sort(), fits.map((d) => d.id).sort());
      }),
      { numRuns: 300 },
    );
  });

  it('the same inputs give the same decision', () => {
    fc.assert(
      fc.property(requestArb, ctxArb, (r, c) => {
        assert.deepEqual(decide(r, toContext(c)), decide({ ...r }, toContext(c)));
      }),
      { numRuns: 150 },
    );
  });

  it('metric strategies order the healthy candidates by their key', () => {
    fc.assert(
      fc.property(requestArb, ctxArb, (r0, c) => {
        const r = { ...r0, model: undefined, strategy: 'least-latency' as const };
        const ctx = toContext(c);
        const o = decide(r, ctx);
        if (!o.ok) return;
        const healthy = o.decision.candidates.filter((id) => ctx.stats.get(id)?.breaker !== 'open');
        const keys = healthy.map((id) => ctx.stats.get(id)?.latencyEwmaMs ?? Infinity);
        assert.deepEqual(
          keys,
          [...keys].sort((a, b) => a - b),
        );
      }),
      { numRuns: 150 },
    );
  });
});
