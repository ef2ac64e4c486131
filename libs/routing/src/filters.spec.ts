import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from './decide';
import { config, context, dep, request, stats } from './spec-helpers';
import type { RoutingOutcome } from './types';

function ids(o: RoutingOutcome): string[] {
  assert.ok(o.ok, o.ok ? '' : `${o.code}: ${o.message}`);
  return o.decision.candidates;
}

const cfg = config({
  deployments: [
    dep('gpt-mini', { region: 'us', capabilities: ['json', 'tools'] }),
    dep('gpt-eu', { region: 'eu-west', capabilities: ['images'], contextWindow: 8000 }),
    dep('claude-eu', { provider: 'anthropic', region: 'eu', capabilities: ['images', 'tools'] }),
    dep('loc', { provider: 'local', region: 'local' }),
    dep('vis', { provider: 'vision', class: 'vision', tasks: ['image.ocr', 'image.caption'] }),
  ],
});

describe('candidate filters', () => {
  it('images need the images capability', () => {
    assert.deepEqual(ids(decide(request({ hasImages: true }), context(cfg))), [
      'gpt-eu',
      'claude-eu',
    ]);
  });

  it('image tasks run on vision deployments without the images capability', () => {
    // local-vision exists because config adds it for image.classify, which vis does not serve
    assert.deepEqual(ids(decide(request({ task: 'image.ocr', hasImages: true }), context(cfg))), [
      'vis',
      'local-vision',
    ]);
  });

  it('json needs the json capability unless the deployment is local', () => {
    assert.deepEqual(ids(decide(request({ needsJson: true }), context(cfg))), ['gpt-mini', 'loc']);
  });

  it('tools need the tools capability', () => {
    assert.deepEqual(ids(decide(request({ needsTools: true }), context(cfg))), [
      'gpt-mini',
      'claude-eu',
    ]);
  });

  it('input plus output tokens must fit the context window', () => {
    const o = decide(request({ inputTokens: 7000, maxOutputTokens: 1001 }), context(cfg));
    assert.ok(!ids(o).includes('gpt-eu'));
    const all = decide(request({ inputTokens: 2_000_000 }), context(cfg));
    assert.ok(!all.ok && all.code === 'context_length' && all.message.includes('maxTokens'));
  });

  it('tenant region "eu" admits eu and eu-* regions and local ones only', () => {
    const o = decide(request(), context(cfg, { tenant: { id: 'acme', region: 'eu' } }));
    assert.deepEqual(ids(o), ['gpt-eu', 'claude-eu', 'loc']);
    assert.ok(o.ok && o.decision.reason.includes('gpt-mini excluded: region eu required'));
  });

  it('residency refusal names the policy', () => {
    const o = decide(
      request({ needsTools: true, inputTokens: 10 }),
      context(cfg, { tenant: { id: 'acme', region: 'ap' } }),
    );
    assert.equal(o.ok, false);
    assert.ok(!o.ok && o.code === 'residency_violation');
    assert.ok(
      !o.ok && o.message.includes('tenant acme requires region "ap"'),
      !o.ok ? o.message : '',
    );
  });

  it('a pinned model outside the region is refused, not silently replaced', () => {
    const o = decide(
      request({ model: 'gpt-mini' }),
      context(cfg, { tenant: { id: 'acme', region: 'eu' } }),
    );
    assert.ok(!o.ok && o.code === 'residency_violation' && o.message.includes('gpt-mini'));
  });

  it('tenant model globs and key scopes both apply', () => {
    const tenant = { id: 'acme', models: ['gpt-*', 'loc'] };
    assert.deepEqual(ids(decide(request(), context(cfg, { tenant }))), [
      'gpt-mini',
      'gpt-eu',
      'loc',
    ]);
    const both = context(cfg, { tenant, allowedModels: ['*-EU', 'l?c'] });
    assert.deepEqual(ids(decide(request(), both)), ['gpt-eu', 'loc']);
    const none = decide(request(), context(cfg, { tenant, allowedModels: ['claude-*'] }));
    assert.ok(!none.ok && none.code === 'model_not_allowed');
    const pinned = decide(request({ model: 'claude-eu' }), context(cfg, { tenant }));
    assert.ok(!pinned.ok && pinned.code === 'model_not_allowed');
  });

  it("a request chooses a strategy only within the key's routing scopes", () => {
    const allowed = context(cfg, { allowedStrategies: ['priority', 'cascade'] });
    const refused = decide(request({ strategy: 'least-cost' }), allowed);
    assert.ok(!refused.ok && refused.code === 'strategy_not_allowed');
    assert.match(refused.message, /"least-cost".*priority, cascade.*routing:least-cost/);
    assert.equal(ids(decide(request({ strategy: 'cascade' }), allowed)).length, 4);
    // Without a strategy of its own the request takes the route's, whatever the scopes.
    assert.ok(decide(request(), context(cfg, { allowedStrategies: [] })).ok);
    assert.ok(decide(request({ strategy: 'least-cost' }), context(cfg)).ok);
  });

  it('disabled deployments are skipped; a disabled pinned model lets the others serve', () => {
    const disabled = new Set(['gpt-mini']);
    assert.deepEqual(ids(decide(request(), context(cfg, { disabled }))), [
      'gpt-eu',
      'claude-eu',
      'loc',
    ]);
    const o = decide(request({ model: 'gpt-mini' }), context(cfg, { disabled }));
    assert.deepEqual(ids(o), ['gpt-eu', 'claude-eu', 'loc']);
  });

  it('open breakers move to the end as last resort; all open still routes', () => {
    const s = stats({ 'gpt-mini': { breaker: 'open' }, 'gpt-eu': { breaker: 'half-open' } });
    const o = decide(request(), context(cfg, { stats: s }));
    assert.deepEqual(ids(o), ['gpt-eu', 'claude-eu', 'loc', 'gpt-mini']);
    assert.ok(o.ok && o.decision.reason.includes('last resort: gpt-mini'));
    const allOpen = stats({ 'gpt-mini': { breaker: 'open' }, 'gpt-eu': { breaker: 'open' } });
    const t = context(cfg, { stats: allOpen, allowedModels: ['gpt-*'] });
    assert.deepEqual(ids(decide(request(), t)), ['gpt-mini', 'gpt-eu']);
  });

  it('maxCostUsd excludes deployments whose worst case exceeds it', () => {
    const c = config({
      deployments: [
        dep('dear', { price: { inputPerMTok: 10, outputPerMTok: 30 } }),
        dep('cheap', { price: { inputPerMTok: 0.1, outputPerMTok: 0.4 } }),
      ],
    });
    // dear: 1000×10/M + 1000×30/M = $0.04; cheap: $0.0005
    const r = request({ inputTokens: 1000, maxOutputTokens: 1000, maxCostUsd: 0.01 });
    assert.deepEqual(ids(decide(r, context(c))), ['cheap']);
    const o = decide({ ...r, maxCostUsd: 0.0001 }, context(c));
    assert.ok(!o.ok && o.code === 'cost_limit' && o.message.includes('maxCostUsd'));
  });

  it('routing.deadline excludes deployments expected to finish after it', () => {
    const c = config({
      deployments: [
        dep('slow', { limits: { maxConcurrency: 4 } }),
        dep('busy', { limits: { maxConcurrency: 4 } }),
        dep('fast'),
        dep('new'),
      ],
    });
    // slow: 3000 ms; busy: 200 ms × (1 + 8 queued / limit 2) = 1000 ms; fast: 100 ms;
    // new: no stats yet, so kept.
    const live = stats({
      slow: { latencyEwmaMs: 3000 },
      busy: { latencyEwmaMs: 200, queueDepth: 8, limit: 2 },
      fast: { latencyEwmaMs: 100 },
    });
    const o = decide(request({ timeLeftMs: 900 }), context(c, { stats: live }));
    assert.deepEqual(ids(o), ['fast', 'new']);
    assert.ok(o.ok && o.decision.reason.includes('expected to finish after routing.deadline'));
    assert.deepEqual(ids(decide(request({ timeLeftMs: 1000 }), context(c, { stats: live }))), [
      'busy',
      'fast',
      'new',
    ]);
    // Nothing fits: refused, naming the fastest expected time and the fix.
    const none = stats({ slow: { latencyEwmaMs: 3000 }, busy: { latencyEwmaMs: 2000 } });
    const c2 = config({ deployments: [dep('slow'), dep('busy')] });
    const refused = decide(request({ timeLeftMs: 500 }), context(c2, { stats: none }));
    assert.ok(!refused.ok && refused.code === 'deadline', JSON.stringify(refused));
    assert.match(refused.message, /expected to take 2000 ms.*routing\.deadline/);
  });

  it('a deadline already passed is refused before any routing', () => {
    const o = decide(request({ timeLeftMs: -250 }), context(cfg));
    assert.ok(!o.ok && o.code === 'deadline' && o.message.includes('passed 250 ms ago'));
  });

  it('a route target that does not serve the task is excluded', () => {
    const c = config({
      deployments: [dep('a'), dep('e', { class: 'embeddings', tasks: ['embed'] })],
      routes: [{ match: { model: 'm' }, targets: ['e', 'a'] }],
    });
    assert.deepEqual(ids(decide(request({ model: 'm' }), context(c))), ['a']);
  });
});
