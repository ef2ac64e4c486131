import { fork } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../infra/src';
import { startGateway } from '../test/support/gateway-harness';
import { closedLoop, round, writeResults, type LoadResult } from './lib/closed-loop';
import { freshRedis } from './lib/fresh-redis';
import { LEAN_KEY, startReference } from './lib/reference-run';

/**
 * Accepted jobs per second at ingest (c=64, 15 s): the gateway's POST /v1/jobs (auth,
 * validation, routing, one Lua transaction, one BullMQ add) against a bare Fastify route
 * doing one BullMQ add, in the same run on the same Redis, emptied before each side. Only the
 * ingest process runs on the gateway side, so both sides measure the front door alone. A third
 * side, the lean reference (bench/lib/reference-pipelines.ts), does the least the issue asks of
 * ingest (key, schema, counters, record and audit event in one script, one add): how far
 * below the bare route any implementation starts on this machine.
 */
const C = Number(process.env.BENCH_CONCURRENCY ?? 64);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const body = JSON.stringify({
  task: 'summarize',
  input: { text: 'Queues keep jobs. Workers call models. Kafka carries results.' },
});

async function baseline(): Promise<LoadResult> {
  const port = await freePort();
  const child = fork(join(__dirname, 'lib', 'bare-baseline.js'), [
    'ingest',
    String(port),
    process.env.REDIS_URL!,
    'benchbare',
  ]);
  await new Promise((r) => child.once('message', r));
  try {
    return await closedLoop({
      url: `http://127.0.0.1:${port}`,
      path: '/jobs',
      body,
      headers: { 'content-type': 'application/json' },
      concurrency: C,
      seconds: SECONDS,
      okStatus: 202,
    });
  } finally {
    child.kill('SIGTERM');
  }
}

async function lean(): Promise<LoadResult> {
  const ref = await startReference('lean-ingest', [process.env.REDIS_URL!, 'benchlean', 'lean']);
  try {
    return await closedLoop({
      url: `http://127.0.0.1:${ref.port}`,
      path: '/jobs',
      body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${LEAN_KEY}` },
      concurrency: C,
      seconds: SECONDS,
      okStatus: 202,
    });
  } finally {
    await ref.stop();
  }
}

async function gateway(): Promise<LoadResult> {
  const gw = await startGateway({
    config:
      'tenants: [{ id: bench, limits: { rpm: 100000000, tpm: 100000000000, maxQueued: 100000000 } }]\n' +
      'jobs: { maxQueuedPerDeployment: 100000000 }\n',
    apps: ['ingest-api'],
  });
  try {
    const key = await gw.tenantKey('bench', undefined, true, {
      rpm: 100_000_000,
      tpm: 100_000_000_000,
    });
    return await closedLoop({
      url: gw.url,
      path: '/v1/jobs',
      body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      concurrency: C,
      seconds: SECONDS,
      okStatus: 202,
    });
  } finally {
    await gw.stop();
  }
}

async function main(): Promise<void> {
  await freshRedis(process.env.REDIS_URL!);
  const base = await baseline();
  await freshRedis(process.env.REDIS_URL!);
  const ref = await lean();
  await freshRedis(process.env.REDIS_URL!);
  const gw = await gateway();
  const ratio = gw.perSecond / base.perSecond;
  const leanRatio = ref.perSecond / base.perSecond;
  const result = {
    concurrency: C,
    seconds: SECONDS,
    baseline: base,
    leanReference: ref,
    gateway: gw,
    ratio: round(ratio, 3),
    leanReferenceRatio: round(leanRatio, 3),
    goals: { ratio: 0.5, p99Ms: 25 },
  };
  console.log(JSON.stringify(result, null, 2));
  writeResults(
    'ingest',
    result,
    `# Ingest: accepted jobs/s (c=${C}, ${SECONDS} s)

| | jobs/s | p50 ms | p99 ms | errors |
| --- | --- | --- | --- | --- |
| bare Fastify + one BullMQ add | ${round(base.perSecond, 0)} | ${round(base.p50Ms)} | ${round(base.p99Ms)} | ${base.errors} |
| lean reference: key, schema, counters + record + audit event in one script, one add | ${round(ref.perSecond, 0)} | ${round(ref.p50Ms)} | ${round(ref.p99Ms)} | ${ref.errors} |
| gateway POST /v1/jobs | ${round(gw.perSecond, 0)} | ${round(gw.p50Ms)} | ${round(gw.p99Ms)} | ${gw.errors} |

Ratio gateway / baseline: **${round(ratio, 3)}** (goal ≥ 0.5); gateway p99 ${round(gw.p99Ms)} ms (goal ≤ 25 ms).
Lean reference / baseline: ${round(leanRatio, 3)}, what a minimal implementation of that work reaches here.
Command: \`npm run bench -- ingest\`.`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
