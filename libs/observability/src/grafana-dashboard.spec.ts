import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GatewayMetrics } from './metrics';

/** The dashboard file: tests run from the repository root; else climb from this file. */
function dashboardPath(): string {
  for (let dir = __dirname, i = 0; i < 8; dir = join(dir, '..'), i++) {
    for (const base of i === 0 ? [process.cwd(), dir] : [dir]) {
      const p = join(base, 'infra', 'grafana', 'ai-gateway-overview.json');
      if (existsSync(p)) return p;
    }
  }
  throw new Error('infra/grafana/ai-gateway-overview.json not found; run tests from the repo root');
}

test('every metric the Grafana dashboard queries is one the gateway defines', async () => {
  const dash = JSON.parse(readFileSync(dashboardPath(), 'utf8')) as {
    panels: { targets: { expr: string }[] }[];
  };
  const exprs = dash.panels.flatMap((p) => p.targets.map((t) => t.expr));
  const used = new Set(exprs.flatMap((e) => e.match(/gateway_[a-z_]+/g) ?? []));
  const defined = new Set(
    (await new GatewayMetrics().registry.getMetricsAsJSON()).map((m) => m.name),
  );
  const base = (n: string) => n.replace(/_(bucket|count|sum)$/, '');
  const missing = [...used].filter((n) => !defined.has(n) && !defined.has(base(n)));
  assert.deepEqual(missing, [], `dashboard queries undefined metrics: ${missing.join(', ')}`);
  assert.ok(used.size >= 15, 'the dashboard covers the gateway metrics');
});

test('metric names follow Prometheus conventions', async () => {
  for (const m of await new GatewayMetrics().registry.getMetricsAsJSON()) {
    assert.match(m.name, /^gateway_[a-z0-9_]+$/);
    if (String(m.type) === 'counter') assert.match(m.name, /_total$/, m.name);
    if (String(m.type) === 'histogram') assert.match(m.name, /_seconds$/, m.name);
  }
});
