import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { startGateway } from '../test/support/gateway-harness';
import { round, writeResults } from './lib/closed-loop';
import { ensureTopics } from '../infra/src';
import { freshRedis } from './lib/fresh-redis';
import { LEAN_KEY, startReference } from './lib/reference-run';

/**
 * End-to-end jobs/s with the local provider at 0 ms: submit N jobs over HTTP (c=64) and time
 * until the last one is stored as succeeded; against a bare BullMQ add + no-op worker loop
 * moving N jobs in the same run on the same Redis, emptied before each side. Both sides first
 * move WARMUP jobs untimed, so both are measured warm (JIT-compiled, connections open) rather
 * than at process start. Between them, the lean reference (bench/lib/reference-pipelines.ts)
 * does the least the issue asks end to end over the same HTTP load: key, schema, counters,
 * record and audit event at ingest; record read, result with its result and audit events in
 * one script in the worker; the outbox relayed to Kafka meanwhile. It tells how much of the
 * baseline any implementation of that work can reach on this machine.
 */
const N = Number(process.env.BENCH_JOBS ?? 5000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const C = Number(process.env.BENCH_CONCURRENCY ?? 64);
const WORKER_CONCURRENCY = 32;
const BODY = JSON.stringify({
  task: 'summarize',
  input: { text: 'Queues keep jobs. Workers call models. Kafka carries results.' },
});

/** C loops submitting BODY over HTTP until `n` were sent in all; counts answers but 202. */
function httpSubmitter(pool: Pool, path: string, key: string) {
  let next = 0;
  const s = {
    rejected: 0,
    upTo: (n: number) =>
      Promise.all(
        Array.from({ length: C }, async () => {
          while (next < n) {
            next++;
            const res = await pool.request({
              method: 'POST',
              path,
              body: BODY,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            });
            await res.body.dump();
            if (res.statusCode !== 202) s.rejected++;
          }
        }),
      ),
  };
  return s;
}

async function baseline(): Promise<{ jobsPerSecond: number; seconds: number }> {
  const url = process.env.REDIS_URL!;
  const prefix = `benchbare${Date.now()}`;
  const child = fork(join(__dirname, 'lib', 'bare-baseline.js'), [
    'worker',
    url,
    prefix,
    String(WARMUP + N),
    String(WORKER_CONCURRENCY),
    String(WARMUP),
  ]);
  await new Promise((r) => child.once('message', r));
  const queue = new Queue('bare-e2e', { connection: { url, maxRetriesPerRequest: null }, prefix });
  let next = 0;
  const warm = new Promise<void>((r) =>
    child.on('message', (m) => typeof m === 'object' && 'warm' in m && r()),
  );
  const finished = new Promise<{ lastAt: number }>((r) =>
    child.on(
      'message',
      (m) => typeof m === 'object' && 'lastAt' in m && r(m as { lastAt: number }),
    ),
  );
  const addUpTo = (n: number) =>
    Promise.all(
      Array.from({ length: C }, async () => {
        while (next < n) {
          next++;
          await queue.add('job', { task: 'summarize' }, { removeOnComplete: true });
        }
      }),
    );
  if (WARMUP > 0) {
    await addUpTo(WARMUP);
    await warm;
  }
  const t0 = Date.now();
  await addUpTo(WARMUP + N);
  const { lastAt } = await finished;
  await queue.close();
  const seconds = (lastAt - t0) / 1000;
  return { jobsPerSecond: N / seconds, seconds };
}

async function lean(): Promise<{ jobsPerSecond: number; seconds: number }> {
  const url = process.env.REDIS_URL!;
  const prefix = `benchlean${Date.now()}`;
  const topics = [`${prefix}.results`, `${prefix}.audit`];
  const brokers = process.env.KAFKA_BROKERS!;
  await ensureTopics(brokers.split(','), topics, 3);
  const worker = await startReference('lean-worker', [
    url,
    prefix,
    'lean-e2e',
    String(N),
    String(WARMUP),
  ]);
  const relay = await startReference('lean-relay', [url, prefix, brokers, ...topics]);
  const api = await startReference('lean-ingest', [url, prefix, 'lean-e2e']);
  const pool = new Pool(`http://127.0.0.1:${api.port}`, { connections: C });
  const told = (key: string) =>
    new Promise<Record<string, number>>((r) =>
      worker.child.on('message', (m) => typeof m === 'object' && m && key in m && r(m as never)),
    );
  try {
    const submit = httpSubmitter(pool, '/jobs', LEAN_KEY);
    // A refused submission never reaches the worker, which would then never tell its count.
    const submitUpTo = async (n: number) => {
      await submit.upTo(n);
      if (submit.rejected > 0) throw new Error(`${submit.rejected} submissions were refused`);
    };
    const warm = told('warm');
    const last = told('lastAt');
    if (WARMUP > 0) {
      await submitUpTo(WARMUP);
      await warm;
    }
    const t0 = Date.now();
    await submitUpTo(WARMUP + N);
    const { lastAt } = await last;
    const seconds = (lastAt - t0) / 1000;
    return { jobsPerSecond: N / seconds, seconds };
  } finally {
    await pool.close();
    await Promise.all([api.stop(), relay.stop(), worker.stop()]);
  }
}

async function gateway(): Promise<{ jobsPerSecond: number; seconds: number; rejected: number }> {
  const gw = await startGateway({
    config: `deployments:
  - { id: fast-llm, provider: local, model: fast, class: llm, tasks: [chat, summarize, classify, extract], region: local, limits: { maxConcurrency: ${WORKER_CONCURRENCY} } }
tenants: [{ id: bench, limits: { rpm: 100000000, tpm: 100000000000, maxQueued: 100000000 } }]
jobs: { maxQueuedPerDeployment: 100000000 }
`,
    apps: ['ingest-api', 'worker-llm', 'dispatcher'],
  });
  const sub = new Redis(gw.redisUrl);
  try {
    const key = await gw.tenantKey('bench', undefined, true, {
      rpm: 100_000_000,
      tpm: 100_000_000_000,
    });
    let succeeded = 0;
    let lastAt = 0;
    let target = WARMUP;
    let reached: () => void = () => undefined;
    // A status word, or the stored record of a job that reached a terminal status.
    sub.on('pmessage', (_p: string, _c: string, message: string) => {
      const status = message.startsWith('{')
        ? (JSON.parse(message) as { status: string }).status
        : message;
      if (status === 'succeeded' && ++succeeded === target) {
        lastAt = Date.now();
        reached();
      }
    });
    await sub.psubscribe(`${gw.prefix}:jobev:*`);
    const pool = new Pool(gw.url, { connections: C });
    const submit = httpSubmitter(pool, '/v1/jobs', key);
    const submitUpTo = submit.upTo;
    const allSucceeded = (n: number) => {
      target = n;
      const done = new Promise<void>((r) => {
        reached = r;
        if (succeeded >= n) r();
      });
      const timeout = new Promise<never>((_, rej) =>
        setTimeout(
          () => rej(new Error(`only ${succeeded}/${n} succeeded within 300 s`)),
          300_000,
        ).unref(),
      );
      return Promise.race([done, timeout]);
    };
    if (WARMUP > 0) {
      await submitUpTo(WARMUP);
      await allSucceeded(WARMUP);
    }
    const t0 = Date.now();
    const finished = allSucceeded(WARMUP + N);
    await submitUpTo(WARMUP + N);
    await pool.close();
    if (submit.rejected > 0) throw new Error(`${submit.rejected} submissions were refused`);
    await finished;
    const seconds = (lastAt - t0) / 1000;
    return { jobsPerSecond: N / seconds, seconds, rejected: submit.rejected };
  } finally {
    sub.disconnect();
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
  const ratio = gw.jobsPerSecond / base.jobsPerSecond;
  const leanRatio = ref.jobsPerSecond / base.jobsPerSecond;
  const result = {
    jobs: N,
    warmupJobs: WARMUP,
    concurrency: C,
    workerConcurrency: WORKER_CONCURRENCY,
    baseline: base,
    leanReference: ref,
    gateway: gw,
    ratio: round(ratio, 3),
    leanReferenceRatio: round(leanRatio, 3),
    goal: 0.5,
  };
  console.log(JSON.stringify(result, null, 2));
  writeResults(
    'throughput',
    result,
    `# End-to-end throughput, local provider at 0 ms (${N} jobs after ${WARMUP} untimed, submit c=${C}, worker concurrency ${WORKER_CONCURRENCY})

| | jobs/s | seconds |
| --- | --- | --- |
| bare BullMQ add + no-op worker | ${round(base.jobsPerSecond, 0)} | ${round(base.seconds)} |
| lean reference: the issue's least work over HTTP, worker and Kafka relay | ${round(ref.jobsPerSecond, 0)} | ${round(ref.seconds)} |
| gateway: HTTP submit → worker → stored result (+ relay to Kafka running) | ${round(gw.jobsPerSecond, 0)} | ${round(gw.seconds)} |

Ratio gateway / baseline: **${round(ratio, 3)}** (goal ≥ 0.5).
Lean reference / baseline: ${round(leanRatio, 3)}, what a minimal implementation of that work reaches here.
Command: \`npm run bench -- throughput\`.`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
