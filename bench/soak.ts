/**
 * Soak: a steady job rate for N minutes against every app process, sampling the memory of
 * each process and Redis, and the latency of submissions and of whole jobs per window.
 * Not part of `npm test`. Run (compiled, it starts the apps from dist/):
 *   npm run build && node dist/bench/soak.js --minutes 30 --rate 20 [--window 5]
 * Writes bench/results/soak.{json,md}.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startPrivateInfra } from '../infra/src';
import { startGateway, type Gateway } from '../test/support/gateway-harness';
import { call } from '../test/support/http';
import { repoRoot } from '../test/support/repo';
import { summarizeWindows, type Sample, type WindowStats } from './lib/soak-stats';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '20' },
    window: { type: 'string', default: '5' },
  },
});
const MINUTES = Number(values.minutes);
const RATE = Number(values.rate);
const WINDOW_MS = Number(values.window) * 60_000;

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: soak-llm, provider: local, model: soak, class: llm, tasks: [classify, summarize],
      limits: { maxConcurrency: 32 }, simulate: { latencyMs: { meanMs: 50, stddevMs: 15 } } }
routes:
  - { match: { model: soak }, strategy: priority, targets: [soak-llm] }
tenants:
  - { id: soak, limits: { rpm: 100000000, tpm: 100000000000 } }
`;

function rssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const root = repoRoot();
  const infra = await startPrivateInfra(root, 'soak', (m) => console.log(`[soak] ${m}`));
  try {
    await soak(root, infra);
  } finally {
    // Whatever happened, the Redis and Kafka this run started do not outlive it.
    await infra.stop();
    rmSync(infra.dataDir, { recursive: true, force: true });
  }
}

async function soak(
  root: string,
  infra: Awaited<ReturnType<typeof startPrivateInfra>>,
): Promise<void> {
  process.env.REDIS_URL = infra.redis.url;
  process.env.KAFKA_BROKERS = infra.kafka.brokers.join(',');
  process.env.GATEWAY_TEST_DATA_DIR = infra.dataDir;
  const gw = await startGateway({ config: CONFIG });
  const redis = new Redis(infra.redis.url);
  try {
    await drive(root, gw, redis);
  } finally {
    redis.disconnect();
    await gw.stop();
  }
}

async function drive(root: string, gw: Gateway, redis: Redis): Promise<void> {
  // The key's own limits are raised too: a key's default rpm would cap the rate, not the gateway.
  const key = await gw.tenantKey('soak', undefined, true, {
    rpm: 100_000_000,
    tpm: 100_000_000_000,
  });
  const samples: Sample[] = [];
  const memory: Record<string, number | null>[] = [];
  const started = Date.now();
  const end = started + MINUTES * 60_000;
  let errors = 0;
  let inflight = 0;

  const oneJob = async (i: number) => {
    inflight++;
    const t0 = Date.now();
    try {
      const r = await call<{ id: string }>(`${gw.url}/v1/jobs`, {
        key,
        body: {
          task: 'classify',
          model: 'soak',
          input: { text: `soak job ${i} is great`, labels: ['good', 'bad'] },
        },
      });
      const submitMs = Date.now() - t0;
      if (r.status !== 202) {
        errors++;
        return;
      }
      const done = await call<{ status: string }>(`${gw.url}/v1/jobs/${r.body.id}?wait=60`, {
        key,
      });
      const ok = done.body.status === 'succeeded';
      if (!ok) errors++;
      samples.push({ at: t0 - started, submitMs, totalMs: Date.now() - t0, ok });
    } catch {
      errors++;
    } finally {
      inflight--;
    }
  };

  const sampler = setInterval(() => {
    void redis.info('memory').then((info) => {
      const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
      const row: Record<string, number | null> = {
        at: Date.now() - started,
        redisMb: Math.round(used / 104857.6) / 10,
        inflight,
      };
      for (const [name, p] of gw.procs) row[name] = rssMb(p.pid);
      memory.push(row);
    });
  }, 10_000);

  // Open loop at a fixed rate: a slow gateway does not slow the offered load.
  const pending: Promise<void>[] = [];
  for (let i = 0; i < MINUTES * 60 * RATE && Date.now() < end + 1000; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    if (inflight > RATE * 120) {
      errors++; // more than two minutes of backlog: count it, do not pile up
      continue;
    }
    pending.push(oneJob(i));
    if (pending.length > 10_000) await Promise.all(pending.splice(0, 5_000));
  }
  await Promise.all(pending);
  clearInterval(sampler);
  const windows: WindowStats[] = summarizeWindows(samples, memory, WINDOW_MS);
  const result = {
    date: new Date().toISOString(),
    cpus: cpus().length,
    minutes: MINUTES,
    ratePerSec: RATE,
    windowMinutes: WINDOW_MS / 60_000,
    jobs: samples.length,
    errors,
    windows,
    memory,
  };
  const out = join(root, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'soak.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(out, 'soak.md'), markdown(result, windows));
  console.log(markdown(result, windows));
}

function markdown(
  r: { date: string; minutes: number; ratePerSec: number; jobs: number; errors: number },
  windows: WindowStats[],
): string {
  const procs = Object.keys(windows[0]?.rssMb ?? {});
  const head = `| window | jobs | submit p99 ms | job p99 ms | job p50 ms | redis MB | ${procs.map((p) => `${p} MB`).join(' | ')} |`;
  const sep = `|${' --- |'.repeat(6 + procs.length)}`;
  const rows = windows.map(
    (w) =>
      `| ${w.fromMin}-${w.toMin} min | ${w.jobs} | ${w.submitP99} | ${w.totalP99} | ${w.totalP50} | ${w.redisMb ?? '-'} | ${procs.map((p) => w.rssMb[p] ?? '-').join(' | ')} |`,
  );
  const first = windows[0];
  const last = windows[windows.length - 1];
  const growth = procs.map((p) => {
    const a = first?.rssMb[p];
    const b = last?.rssMb[p];
    return a && b ? `${p} ${b > a ? '+' : ''}${Math.round(((b - a) / a) * 100)}%` : `${p} -`;
  });
  return [
    `# Soak: ${r.minutes} min at ${r.ratePerSec} jobs/s (${r.date})`,
    '',
    `${r.jobs} jobs measured, ${r.errors} errors. Memory is the mean of the 10 s samples in each window.`,
    '',
    head,
    sep,
    ...rows,
    '',
    `RSS change from the first to the last window: ${growth.join(', ')}.`,
    '',
  ].join('\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
