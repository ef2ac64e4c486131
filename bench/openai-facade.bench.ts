/**
 * OpenAI façade bench: a non-streaming chat completion through the gateway (ingest, queue,
 * worker, openai-compatible adapter) versus the same local upstream called directly, in the
 * same run, at concurrency 1 and 16; throughput at 16; time to first token when streaming.
 * A third path, the bare queued reference (bench/lib/reference-pipelines.ts), is the least any
 * queued façade on this stack does: a Fastify route, one BullMQ add, a BullMQ worker in its own
 * process calling the upstream, the answer back over pub/sub; no auth, records or events.
 * Paths alternate in rounds so drift in machine load hits all alike.
 * Run (after a build): node dist/bench/openai-facade.bench.js  (writes bench/results/openai-facade.{json,md})
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startPrivateInfra } from '../infra/src';
import { startGateway } from '../test/support/gateway-harness';
import { repoRoot } from '../test/support/repo';
import { chatOnce, closeLoad, closedLoop, firstTokenMs, pct, type Target } from './lib/facade-load';
import { startOpenAiUpstream } from './lib/openai-upstream';
import { startReference, type ReferenceProcess } from './lib/reference-run';

const ROUNDS = 3;
const C1_MS = 2000;
const C16_MS = 3000;
const TTFT_MS = 2000;
const STREAM_GAP_MS = 2;

const PATHS = ['direct', 'queued', 'gateway'] as const;
type PathName = (typeof PATHS)[number];
type Samples = {
  [P in PathName]: number[];
} & {
  seconds: Record<PathName, number>;
  errors: Record<PathName, number>;
  firstError?: string;
};

async function main(): Promise<void> {
  const root = repoRoot();
  const say = (m: string) => console.log(`[bench] ${m}`);
  const infra = await startPrivateInfra(root, 'bench', say);
  const { dataDir } = infra;
  process.env.REDIS_URL = infra.redis.url;
  process.env.KAFKA_BROKERS = infra.kafka.brokers.join(',');
  process.env.GATEWAY_TEST_DATA_DIR = dataDir;
  const upstream = await startOpenAiUpstream({ gapMs: STREAM_GAP_MS });
  const refPrefix = `benchqueued${Date.now()}`;
  const reference: ReferenceProcess[] = [
    await startReference('queued-worker', [infra.redis.url, refPrefix, upstream.url]),
  ];
  reference.push(await startReference('queued-api', [infra.redis.url, refPrefix]));
  const gw = await startGateway({
    config: `
providers:
  - { id: up, type: openai-compatible, baseUrl: "${upstream.url}" }
deployments:
  - { id: bench-chat, provider: up, model: bench-chat, class: llm, tasks: [chat], capabilities: [streaming],
      limits: { maxConcurrency: 64 } }
tenants:
  - { id: bench, limits: { rpm: 100000000, tpm: 1000000000 } }
`,
    apps: ['ingest-api', 'worker-llm', 'dispatcher'],
  });
  try {
    // A key of its own with a high rpm: the default key limit would refuse the load.
    const made = await fetch(`${gw.url}/admin/tenants/bench/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: ['jobs:write', 'jobs:read'], limits: { rpm: 100_000_000 } }),
    });
    if (made.status !== 201) throw new Error(`key create: ${made.status} ${await made.text()}`);
    const key = ((await made.json()) as { key: string }).key;
    const direct: Target = { url: upstream.url, headers: {} };
    const gateway: Target = { url: `${gw.url}/v1`, headers: { authorization: `Bearer ${key}` } };
    const queued: Target = { url: `http://127.0.0.1:${reference[1].port}/v1`, headers: {} };
    const targets: Record<PathName, Target> = { direct, queued, gateway };
    say('warm-up');
    await closedLoop(() => chatOnce(direct), 4, 1500);
    await closedLoop(() => chatOnce(queued), 4, 1500);
    await closedLoop(() => chatOnce(gateway), 4, 3000);
    await closedLoop(() => firstTokenMs(gateway), 2, 1000);

    const measure = async (
      fn: (t: Target) => Promise<number>,
      c: number,
      ms: number,
      paths: readonly PathName[] = PATHS,
    ): Promise<Samples> => {
      const s: Samples = {
        direct: [],
        queued: [],
        gateway: [],
        seconds: { direct: 0, queued: 0, gateway: 0 },
        errors: { direct: 0, queued: 0, gateway: 0 },
      };
      for (let r = 0; r < ROUNDS; r++) {
        for (const name of paths) {
          const got = await closedLoop(() => fn(targets[name]), c, ms);
          s[name].push(...got.samples);
          s.seconds[name] += got.seconds;
          s.errors[name] += got.errors;
          if (got.firstError && !s.firstError) s.firstError = `${name}: ${got.firstError}`;
        }
      }
      return s;
    };
    say('c=1');
    const c1 = await measure(chatOnce, 1, C1_MS);
    say('c=16');
    const c16 = await measure(chatOnce, 16, C16_MS);
    say('streaming time to first token, c=1');
    // The queued reference relays no stream: time to first token compares gateway and direct.
    const ttft = await measure(firstTokenMs, 1, TTFT_MS, ['direct', 'gateway']);

    const row = (s: Samples) => {
      const q = (xs: number[]) => ({
        p50: pct(xs, 50),
        p90: pct(xs, 90),
        p99: pct(xs, 99),
        n: xs.length,
      });
      const d = q(s.direct);
      const stat = (p: PathName) => ({
        ...q(s[p]),
        rps: s[p].length / s.seconds[p],
        errors: s.errors[p],
      });
      const added = (p: PathName) => {
        const x = q(s[p]);
        return { p50: x.p50 - d.p50, p90: x.p90 - d.p90, p99: x.p99 - d.p99 };
      };
      return {
        direct: stat('direct'),
        gateway: stat('gateway'),
        added: added('gateway'),
        ...(s.queued.length
          ? { queuedReference: stat('queued'), queuedReferenceAdded: added('queued') }
          : {}),
        firstError: s.firstError ?? null,
      };
    };
    const results = {
      bench: 'openai-facade',
      at: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model,
        loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
      },
      protocol: {
        rounds: ROUNDS,
        c1Ms: C1_MS,
        c16Ms: C16_MS,
        ttftMs: TTFT_MS,
        streamGapMs: STREAM_GAP_MS,
        apps: ['ingest-api', 'worker-llm', 'dispatcher'],
      },
      nonStreamingC1: row(c1),
      nonStreamingC16: row(c16),
      streamingTtftC1: row(ttft),
    };
    const out = join(root, 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'openai-facade.json'), JSON.stringify(results, null, 2) + '\n');
    writeFileSync(join(out, 'openai-facade.md'), markdown(results));
    console.log(markdown(results));
  } finally {
    await closeLoad();
    await Promise.all(reference.map((r) => r.stop()));
    await gw.stop();
    upstream.server.close();
    await infra.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

type Stat = Record<'p50' | 'p99' | 'rps' | 'n' | 'errors', number>;
type BenchRow = {
  direct: Stat;
  gateway: Stat;
  added: Record<'p50' | 'p99', number>;
  queuedReference?: Stat;
  queuedReferenceAdded?: Record<'p50' | 'p99', number>;
};

function markdown(r: {
  at: string;
  machine: { cpus: number; model?: string; loadAverage: number[] };
  nonStreamingC1: BenchRow;
  nonStreamingC16: BenchRow;
  streamingTtftC1: BenchRow;
}): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
  const line = (name: string, s: BenchRow) =>
    `| ${name} | ${f(s.direct.p50)} / ${f(s.direct.p99)} | ${f(s.gateway.p50)} / ${f(s.gateway.p99)} | ${f(s.added.p50)} / ${f(s.added.p99)} | ${f(s.direct.rps)} | ${f(s.gateway.rps)} | ${s.direct.n} / ${s.gateway.n} | ${s.gateway.errors} |`;
  const ref = (name: string, s: BenchRow) =>
    s.queuedReference && s.queuedReferenceAdded
      ? [
          `| ${name} | ${f(s.queuedReference.p50)} / ${f(s.queuedReference.p99)} | ${f(s.queuedReferenceAdded.p50)} / ${f(s.queuedReferenceAdded.p99)} | ${f(s.queuedReference.rps)} | ${s.queuedReference.n} | ${s.queuedReference.errors} |`,
        ]
      : [];
  return [
    `# OpenAI façade bench (${r.at})`,
    '',
    `Machine: ${r.machine.cpus} CPUs (${r.machine.model ?? '?'}), load average at the end ${r.machine.loadAverage.join(' / ')} — shared with other work, so absolute numbers are noisy.`,
    'Gateway path: ingest-api → Redis/BullMQ → worker-llm → openai-compatible adapter → local upstream; direct: the same upstream over HTTP. "Added" is the difference of the percentiles.',
    '',
    '| case | direct p50 / p99 ms | gateway p50 / p99 ms | added p50 / p99 ms | direct req/s | gateway req/s | samples d / g | gateway errors |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    line('chat, non-streaming, c=1', r.nonStreamingC1),
    line('chat, non-streaming, c=16', r.nonStreamingC16),
    line('chat, streaming time to first token, c=1', r.streamingTtftC1),
    '',
    'Bare queued reference in the same rounds (Fastify route, one BullMQ add, a BullMQ worker process calling the same upstream, the answer over pub/sub; no auth, records, governance or events): the least any queued façade on this stack adds here.',
    '',
    '| case | reference p50 / p99 ms | added p50 / p99 ms | req/s | samples | errors |',
    '| --- | --- | --- | --- | --- | --- |',
    ...ref('chat, non-streaming, c=1', r.nonStreamingC1),
    ...ref('chat, non-streaming, c=16', r.nonStreamingC16),
    '',
  ].join('\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
