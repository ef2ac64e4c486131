import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { startGateway } from '../test/support/gateway-harness';
import { round, writeResults } from './lib/closed-loop';
import { freshRedis } from './lib/fresh-redis';

/**
 * End-to-end jobs/s with the local provider at 0 ms: submit N jobs over HTTP (c=64) and time
 * until the last one is stored as succeeded; against a bare BullMQ add + no-op worker loop
 * moving N jobs in the same run on the same Redis, emptied before each side. Both sides first
 * move WARMUP jobs untimed, so both are measured warm (JIT-compiled, connections open) rather
 * than at process start.
 */
const N = Number(process.env.BENCH_JOBS ?? 5000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const C = Number(process.env.BENCH_CONCURRENCY ?? 64);
const WORKER_CONCURRENCY = 32;

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
    const body = JSON.stringify({
      task: 'summarize',
      input: { text: 'Queues keep jobs. Workers call models. Kafka carries results.' },
    });
    let next = 0;
    let rejected = 0;
    const submitUpTo = (n: number) =>
      Promise.all(
        Array.from({ length: C }, async () => {
          while (next < n) {
            next++;
            const res = await pool.request({
              method: 'POST',
              path: '/v1/jobs',
              body,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            });
            await res.body.dump();
            if (res.statusCode !== 202) rejected++;
          }
        }),
      );
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
    if (rejected > 0) throw new Error(`${rejected} submissions were refused`);
    await finished;
    const seconds = (lastAt - t0) / 1000;
    return { jobsPerSecond: N / seconds, seconds, rejected };
  } finally {
    sub.disconnect();
    await gw.stop();
  }
}

async function main(): Promise<void> {
  await freshRedis(process.env.REDIS_URL!);
  const base = await baseline();
  await freshRedis(process.env.REDIS_URL!);
  const gw = await gateway();
  const ratio = gw.jobsPerSecond / base.jobsPerSecond;
  const result = {
    jobs: N,
    warmupJobs: WARMUP,
    concurrency: C,
    workerConcurrency: WORKER_CONCURRENCY,
    baseline: base,
    gateway: gw,
    ratio: round(ratio, 3),
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
| gateway: HTTP submit → worker → stored result (+ relay to Kafka running) | ${round(gw.jobsPerSecond, 0)} | ${round(gw.seconds)} |

Ratio gateway / baseline: **${round(ratio, 3)}** (goal ≥ 0.5).
Command: \`npm run bench -- throughput\`.`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
