/**
 * Backpressure bench: a capacity-limited upstream (C concurrent calls, 429 + Retry-After
 * beyond, latency rising with load) behind an openai-compatible deployment, two worker
 * processes, and the same job count for adaptive concurrency and static limits of 8 and 128.
 * Jobs are queued first, then the workers start, so the upstream sees the workers' pace only.
 *
 * Run (builds, starts a private Redis and Kafka):
 *   BP_BENCH_JOBS=20000 scripts/test-isolated.sh <name> bench/backpressure.bench.js
 * Writes bench/results/backpressure.{json,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { submitMany, waitAll } from '../test/support/backpressure-helpers';
import { startCapacityUpstream } from '../test/support/capacity-upstream';
import { startGateway } from '../test/support/gateway-harness';
import { repoRoot } from '../test/support/repo';

const C = Number(process.env.BP_BENCH_CAPACITY ?? 32);
const JOBS = Number(process.env.BP_BENCH_JOBS ?? 20_000);
const LATENCY_MS = Number(process.env.BP_BENCH_LATENCY_MS ?? 100);
// A fresh API key per this many jobs keeps submissions and polls under the per-key rpm.
const KEY_JOBS = 1000;
const SAMPLE_MS = 50;

interface Mode {
  name: string;
  limits: string;
}
const MODES: Mode[] = [
  { name: 'adaptive (max 128)', limits: '{ maxConcurrency: 128 }' },
  { name: 'static 8', limits: '{ maxConcurrency: 8, adaptive: { enabled: false } }' },
  { name: 'static 128', limits: '{ maxConcurrency: 128, adaptive: { enabled: false } }' },
];

interface Result {
  mode: string;
  jobs: number;
  succeeded: number;
  failed: number;
  /** Jobs in any other state when polled (should be none). */
  other: number;
  upstreamCalls: number;
  share429: number;
  /** Mean successful concurrency from settling until 95% of jobs were done, ÷ C. */
  goodputShareOfC: number;
  /** From the workers' start to the first 1 s window averaging ≥ 90% of C (null: never). */
  settleSeconds: number | null;
  wallSeconds: number;
  /** The gate's limit sampled every 250 ms until 95% of jobs were done: mean and last. */
  limitMean: number;
  limitLast: number;
}

async function runMode(mode: Mode): Promise<Result> {
  const up = await startCapacityUpstream({
    capacity: C,
    latencyMs: LATENCY_MS,
    loadLatencyFactor: 0.5,
    retryAfterMs: 100,
  });
  const gw = await startGateway({
    apps: ['ingest-api', 'dispatcher'],
    config: `
providers:
  - { id: up, type: openai-compatible, baseUrl: "${up.baseUrl}" }
deployments:
  - { id: cap, provider: up, model: m, class: llm, tasks: [chat], region: local, attempts: 3,
      limits: ${mode.limits} }
routes:
  - { match: { task: chat }, strategy: priority, targets: [cap] }
tenants:
  - { id: bench, limits: { rpm: 10000000, tpm: 1000000000 } }
`,
  });
  try {
    const batches: { key: string; ids: string[] }[] = [];
    for (let done = 0; done < JOBS; done += KEY_JOBS) {
      const key = await gw.tenantKey('bench', undefined, true);
      const batch = await submitMany(gw, key, Math.min(KEY_JOBS, JOBS - done), { parallel: 32 });
      if (batch.refused.length) throw new Error(`refused: ${JSON.stringify(batch.refused[0])}`);
      batches.push({ key, ids: batch.ids });
    }
    const samples: { t: number; inFlight: number; ok: number }[] = [];
    const limits: number[] = [];
    const redis = new Redis(gw.redisUrl);
    const t0 = Date.now();
    const sampler = setInterval(() => {
      samples.push({ t: Date.now() - t0, inFlight: up.inFlight(), ok: up.counters.ok });
      if (samples.length % 5 === 0 && up.counters.ok < 0.95 * JOBS)
        void redis.hget(`${gw.prefix}:bp:{dep-cap}:state`, 'limit').then((l) => {
          if (l) limits.push(Number(l));
        });
    }, SAMPLE_MS);
    await gw.start('worker-llm');
    await gw.start('worker-llm', 'worker-llm-2');
    const counts: Record<string, number> = {};
    for (const b of batches) {
      const c = await waitAll(gw, b.key, b.ids, 20 * 60_000);
      for (const [k, v] of Object.entries(c)) counts[k] = (counts[k] ?? 0) + v;
    }
    clearInterval(sampler);
    redis.disconnect();
    const wall = (Date.now() - t0) / 1000;
    const perWindow = 1000 / SAMPLE_MS;
    let settleIdx = -1;
    for (let i = perWindow; i <= samples.length && settleIdx < 0; i++) {
      const w = samples.slice(i - perWindow, i);
      if (w.reduce((s, x) => s + x.inFlight, 0) / w.length >= 0.9 * C) settleIdx = i - 1;
    }
    const endIdx = samples.findIndex((s) => s.ok >= 0.95 * JOBS);
    const steady = samples.slice(Math.max(settleIdx, 0), endIdx < 0 ? undefined : endIdx);
    const mean = steady.reduce((s, x) => s + x.inFlight, 0) / Math.max(1, steady.length);
    const c = up.counters;
    return {
      mode: mode.name,
      jobs: JOBS,
      succeeded: counts.succeeded ?? 0,
      failed: counts.failed ?? 0,
      other: JOBS - (counts.succeeded ?? 0) - (counts.failed ?? 0),
      upstreamCalls: c.calls,
      share429: c.throttled / Math.max(1, c.calls),
      goodputShareOfC: mean / C,
      settleSeconds: settleIdx < 0 ? null : samples[settleIdx].t / 1000,
      wallSeconds: wall,
      limitMean: limits.reduce((a, b) => a + b, 0) / Math.max(1, limits.length),
      limitLast: limits[limits.length - 1] ?? 0,
    };
  } finally {
    await gw.stop();
    await up.close();
  }
}

async function main(): Promise<void> {
  const results: Result[] = [];
  // BP_BENCH_MODES=adaptive runs a subset (the results files are written only for all three).
  const only = process.env.BP_BENCH_MODES;
  for (const m of MODES.filter((x) => !only || x.name.startsWith(only))) {
    const r = await runMode(m);
    console.log(JSON.stringify(r));
    results.push(r);
  }
  const env = {
    cpus: cpus().length,
    loadavg: loadavg().map((x) => +x.toFixed(2)),
    node: process.version,
  };
  const setup = {
    capacity: C,
    jobs: JOBS,
    latencyMs: LATENCY_MS,
    loadLatencyFactor: 0.5,
    retryAfterMs: 100,
    workers: 2,
  };
  const out = join(repoRoot(), 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'backpressure.json'), JSON.stringify({ setup, env, results }, null, 2));
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const md = [
    '# Backpressure bench',
    '',
    `Upstream: capacity C=${C} concurrent calls, ${LATENCY_MS} ms base latency (+50% at C), 429 with Retry-After 100 ms beyond C.`,
    `Two worker processes, ${JOBS} jobs per mode, queued before the workers start. Machine: ${env.cpus} cores, load ${env.loadavg.join(' ')}.`,
    '',
    '| mode | goodput (share of C) | calls answered 429 | jobs failed | time to settle | wall | limit mean / last |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.mode} | ${pct(r.goodputShareOfC)} | ${pct(r.share429)} (${Math.round(r.share429 * r.upstreamCalls)}/${r.upstreamCalls}) | ${r.failed} | ${r.settleSeconds === null ? 'never' : `${r.settleSeconds.toFixed(1)} s`} | ${r.wallSeconds.toFixed(1)} s | ${r.limitMean.toFixed(1)} / ${r.limitLast.toFixed(1)} |`,
    ),
    '',
    'Goodput: mean successful calls in flight at the upstream from settling until 95% of jobs were done, divided by C. Settle: first 1 s window averaging at least 90% of C after the workers start.',
    '',
  ].join('\n');
  writeFileSync(join(out, 'backpressure.md'), md);
  console.log(md);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
