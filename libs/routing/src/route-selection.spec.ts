import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from './decide';
import { config, context, dep, request } from './spec-helpers';
import type { RoutingOutcome } from './types';

function chosen(o: RoutingOutcome): string[] {
  assert.ok(o.ok, o.ok ? '' : `${o.code}: ${o.message}`);
  return o.decision.candidates;
}

describe('route selection', () => {
  const cfg = config({
    deployments: [
      dep('mini', { aliases: ['gpt-mini'] }),
      dep('big'),
      dep('claude', { provider: 'anthropic' }),
    ],
    routes: [
      { match: { task: 'chat' }, strategy: 'priority', targets: ['big', 'mini'] },
      { match: { model: 'fast' }, strategy: 'priority', targets: ['claude', 'mini'] },
      { match: { task: 'chat', metadata: { team: 'ml' } }, targets: ['claude'] },
      { match: { task: 'summarize' }, targets: ['mini'], cache: { ttlSeconds: 60 } },
      { match: { task: 'summarize' }, targets: ['big'] },
    ],
  });

  it('a route naming the model alias wins over the task route', () => {
    const o = decide(request({ model: 'fast' }), context(cfg));
    assert.deepEqual(chosen(o), ['claude', 'mini']);
    assert.ok(o.ok && o.decision.reason.includes('routes[1]'));
  });

  it('a task route applies when no model is given', () => {
    assert.deepEqual(chosen(decide(request(), context(cfg))), ['big', 'mini']);
  });

  it('a route whose metadata matches all keys beats the plain task route', () => {
    assert.deepEqual(chosen(decide(request({ metadata: { team: 'ml' } }), context(cfg))), [
      'claude',
    ]);
    assert.deepEqual(chosen(decide(request({ metadata: { team: 'web' } }), context(cfg))), [
      'big',
      'mini',
    ]);
  });

  it('among equal routes the first in config order wins, and its cache TTL is reported', () => {
    const o = decide(request({ task: 'summarize' }), context(cfg));
    assert.deepEqual(chosen(o), ['mini']);
    assert.equal(o.ok && o.decision.cacheTtlSeconds, 60);
  });

  it('a deployment id or alias with no route pins it first, task candidates follow', () => {
    assert.deepEqual(chosen(decide(request({ model: 'gpt-mini' }), context(cfg))), ['mini', 'big']);
    assert.deepEqual(chosen(decide(request({ model: 'claude' }), context(cfg))), [
      'claude',
      'big',
      'mini',
    ]);
  });

  it('an unknown model is refused with the known ones listed', () => {
    const o = decide(request({ model: 'gpt-9' }), context(cfg));
    assert.equal(o.ok, false);
    assert.ok(!o.ok && o.code === 'unknown_model');
    assert.ok(!o.ok && o.message.includes('gpt-mini') && o.message.includes('fast'));
  });

  it('a route model used for another task is no_route, not unknown', () => {
    const c = config({
      deployments: [dep('a')],
      routes: [{ match: { model: 'fast', task: 'chat' }, targets: ['a'] }],
    });
    const o = decide(request({ model: 'fast', task: 'summarize' }), context(c));
    assert.ok(!o.ok && o.code === 'no_route' && o.message.includes('fast'));
  });
});

describe('default route', () => {
  it('uses every enabled deployment for the task, non-local first, in config order', () => {
    const c = config({
      deployments: [
        dep('loc', { provider: 'local', region: 'local' }),
        dep('b'),
        dep('off', { provider: 'nokey' }),
        dep('a'),
        dep('emb', { class: 'embeddings', tasks: ['embed'] }),
      ],
    });
    const o = decide(request(), context(c));
    assert.deepEqual(chosen(o), ['b', 'a', 'loc']);
    assert.equal(o.ok && o.decision.strategy, 'priority');
  });

  it('with no vendor credentials every task reaches the local deployments', () => {
    const c = config({ deployments: [dep('off', { provider: 'nokey' })] });
    assert.deepEqual(chosen(decide(request(), context(c))), ['local-llm']);
    assert.deepEqual(chosen(decide(request({ task: 'embed' }), context(c))), ['local-embeddings']);
  });

  it('a route whose targets all lack credentials falls back to the default route', () => {
    const c = config({
      deployments: [dep('off', { provider: 'nokey' })],
      routes: [{ match: { task: 'chat' }, targets: ['off'] }],
    });
    const o = decide(request(), context(c));
    assert.deepEqual(chosen(o), ['local-llm']);
    assert.ok(o.ok && o.decision.reason.includes('no credentials'));
  });

  it('refuses a task no enabled deployment serves', () => {
    const c = config({ deployments: [dep('a')] });
    const o = decide(request(), context(c, { disabled: new Set(['a']) }));
    assert.ok(!o.ok && o.code === 'no_route' && o.message.includes('disabled'));
  });
});

describe('decision fields', () => {
  it('reports provider, vendor model, region, costs and a readable reason', () => {
    const c = config({
      deployments: [
        dep('cheap', { model: 'vendor-cheap', price: { inputPerMTok: 1, outputPerMTok: 2 } }),
        dep('dear', { provider: 'anthropic', price: { inputPerMTok: 10, outputPerMTok: 20 } }),
      ],
      routes: [{ match: { task: 'chat' }, strategy: 'least-cost', targets: ['dear', 'cheap'] }],
    });
    const o = decide(request({ inputTokens: 1000, maxOutputTokens: 500 }), context(c));
    assert.ok(o.ok);
    const d = o.decision;
    assert.equal(d.deployment, 'cheap');
    assert.equal(d.provider, 'openai');
    assert.equal(d.model, 'vendor-cheap');
    assert.equal(d.region, 'us');
    // 1000 × $1/M + 250 expected × $2/M
    assert.equal(d.estimatedCostUsd, 0.0015);
    // the dearest candidate with all 500 output tokens: 1000 × $10/M + 500 × $20/M
    assert.equal(d.maxCostUsd, 0.02);
    assert.match(d.reason, /^least-cost of 2: cheap \$0\.0015 < dear \$0\.015/);
  });
});
