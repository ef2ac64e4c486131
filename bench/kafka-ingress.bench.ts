import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Message, type Producer } from 'kafkajs';
import { ensureTopics } from '../infra/src';
import { startGateway } from '../test/support/gateway-harness';
import { round, writeResults } from './lib/closed-loop';

/**
 * Kafka ingress → results throughput with the local provider at 0 ms: N request messages
 * produced to `ai.requests.v1`, timed until a result keyed by each one's correlation id has
 * been read from `ai.results.v1`. The floor, in the same run on the same broker: the same
 * messages through a bare pass-through kafkajs consumer group that re-produces each batch to
 * a results topic. Both get a warm-up of W messages first.
 */
const N = Math.min(Number(process.env.BENCH_MESSAGES ?? 5000), 100_000);
const WARMUP = 200;
const TIMEOUT_MS = 300_000;
const PARTITIONS = 3;
const SEND_BATCH = 500;

type Run = { messagesPerSecond: number; seconds: number };

function messages(prefix: string, count: number, key: string): Message[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `${prefix}-${i}`,
    value: JSON.stringify({
      task: 'summarize',
      input: { text: `Message ${i} goes through Kafka. Workers call models. Results come back.` },
    }),
    headers: { authorization: `Bearer ${key}`, ce_id: `${prefix}-ev-${i}` },
  }));
}

/** Produces `msgs` to `inTopic` and times until each key has been read from `outTopic`. */
async function timeThrough(
  kafka: Kafka,
  producer: Producer,
  inTopic: string,
  outTopic: string,
  msgs: Message[],
): Promise<Run> {
  const wanted = new Set(msgs.map((m) => String(m.key)));
  const seen = new Set<string>();
  let lastAt = 0;
  const consumer = kafka.consumer({ groupId: `bench-results-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [outTopic], fromBeginning: true });
  const joined = new Promise((r) => consumer.on(consumer.events.GROUP_JOIN, r));
  let done!: () => void;
  const allSeen = new Promise<void>((r) => (done = r));
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const k = m.key?.toString() ?? '';
        if (wanted.has(k) && !seen.has(k)) seen.add(k);
      }
      if (seen.size === wanted.size && lastAt === 0) {
        lastAt = Date.now();
        done();
      }
    },
  });
  await joined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const t0 = Date.now();
    for (let i = 0; i < msgs.length; i += SEND_BATCH)
      await producer.send({ topic: inTopic, messages: msgs.slice(i, i + SEND_BATCH) });
    const timeout = new Promise<never>((_, rej) => {
      timer = setTimeout(
        () => rej(new Error(`only ${seen.size}/${wanted.size} results within ${TIMEOUT_MS} ms`)),
        TIMEOUT_MS,
      );
    });
    await Promise.race([allSeen, timeout]);
    const seconds = (lastAt - t0) / 1000;
    return { messagesPerSecond: msgs.length / seconds, seconds };
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}

async function baseline(kafka: Kafka, producer: Producer, brokers: string[]): Promise<Run> {
  const id = `benchbare${Date.now()}`;
  const [inTopic, outTopic] = [`${id}.requests`, `${id}.results`];
  await ensureTopics(brokers, [inTopic, outTopic], PARTITIONS);
  const child = fork(join(__dirname, 'lib', 'bare-baseline.js'), [
    'kafka-relay',
    brokers.join(','),
    inTopic,
    outTopic,
    `${id}-relay`,
  ]);
  try {
    await new Promise((r) => child.once('message', r));
    await timeThrough(kafka, producer, inTopic, outTopic, messages('warm', WARMUP, 'none'));
    return await timeThrough(kafka, producer, inTopic, outTopic, messages('corr', N, 'none'));
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

async function gateway(kafka: Kafka, producer: Producer): Promise<Run> {
  const gw = await startGateway({
    config: `deployments:
  - { id: fast-llm, provider: local, model: fast, class: llm, tasks: [summarize], region: local, limits: { maxConcurrency: 64 } }
tenants: [{ id: bench, limits: { rpm: 100000000, tpm: 100000000000, maxQueued: 100000000 } }]
jobs: { maxQueuedPerDeployment: 100000000 }
`,
    apps: ['ingest-api', 'worker-llm', 'dispatcher'],
  });
  try {
    // A key of its own with high limits: a key's default 3,000 rpm would cap the run.
    const key = await gw.tenantKey('bench', ['jobs:write'], true, {
      rpm: 100_000_000,
      tpm: 100_000_000_000,
    });
    const { requests, results } = gw.topics;
    await timeThrough(kafka, producer, requests, results, messages('warm', WARMUP, key));
    return await timeThrough(kafka, producer, requests, results, messages('corr', N, key));
  } finally {
    await gw.stop();
  }
}

async function main(): Promise<void> {
  const brokers = process.env.KAFKA_BROKERS!.split(',');
  const kafka = new Kafka({ clientId: 'bench-ingress', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const base = await baseline(kafka, producer, brokers);
    const gw = await gateway(kafka, producer);
    const ratio = gw.messagesPerSecond / base.messagesPerSecond;
    const result = {
      messages: N,
      warmup: WARMUP,
      partitions: PARTITIONS,
      baseline: base,
      gateway: gw,
      ratio: round(ratio, 3),
      machine: { cpus: cpus().length, loadAvg1m: round(loadavg()[0]) },
    };
    console.log(JSON.stringify(result, null, 2));
    writeResults(
      'kafka-ingress',
      result,
      `# Kafka ingress → results throughput, local provider at 0 ms (${N} messages, ${PARTITIONS} partitions, after ${WARMUP} warm-up)

| | messages/s | seconds |
| --- | --- | --- |
| bare Kafka: produce → pass-through consumer group re-produces → results read | ${round(base.messagesPerSecond, 0)} | ${round(base.seconds)} |
| gateway: produce → ingress (auth, validate, govern, enqueue) → worker → outbox relay → \`ai.results.v1\` read | ${round(gw.messagesPerSecond, 0)} | ${round(gw.seconds)} |

Ratio gateway / bare Kafka: **${round(ratio, 3)}** (${cpus().length} CPUs, load ${round(loadavg()[0])} at the end).
Command: \`npm run bench -- kafka-ingress\` (\`BENCH_MESSAGES\` sets N, at most 100,000).`,
    );
  } finally {
    await producer.disconnect();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
