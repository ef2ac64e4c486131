import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printProcessWarnings } from '@gateway/observability';
import { createRedisClient, scanKeys, type RedisClient } from '@gateway/storage';
import { freePort, stopProcess } from '../../infra/src';
import { IngestBalancer } from './ingest-balancer';
import { repoRoot, testInfra, testScale } from './repo';

// kafkajs's known negative timer stays off stderr; other warnings print as usual.
printProcessWarnings();

export type AppName =
  'ingest-api' | 'worker-llm' | 'worker-embeddings' | 'worker-vision' | 'dispatcher';
export const ALL_APPS: AppName[] = [
  'ingest-api',
  'worker-llm',
  'worker-embeddings',
  'worker-vision',
  'dispatcher',
];

export interface Gateway {
  /** The API: the one ingest process, or a round-robin balancer over all of them when scaled. */
  readonly url: string;
  /** Processes of each app this gateway started (`GATEWAY_TEST_SCALE`, or the test's own). */
  readonly scale: number;
  readonly adminKey: string;
  readonly prefix: string;
  readonly topics: { results: string; audit: string; requests: string; requestsDlq: string };
  readonly dataDir: string;
  readonly redisUrl: string;
  /** The Redis Cluster's nodes when the apps run on one (REDIS_CLUSTER_NODES). */
  readonly redisClusterNodes: readonly string[] | undefined;
  readonly kafkaBrokers: string[];
  readonly procs: Map<string, ChildProcess>;
  /** The names of the processes started for `app`: `app`, then `app-r2`, ... when scaled. */
  replicasOf(app: AppName): string[];
  /** Requests the balancer at `url` sent to each ingest process (empty when not scaled). */
  ingestRequests(): Record<string, number>;
  /** A new client for the apps' Redis, a Cluster client when they run on one; disconnect it. */
  redis(): RedisClient;
  /**
   * Everything a process wrote to stdout and stderr (all its runs under that name, in
   * order), or every process's output joined when no name is given: for scanning logs.
   */
  output(name?: string): string;
  /** Creates a tenant (unless declared) and a key for it. */
  tenantKey(
    tenantId: string,
    scopes?: string[],
    declared?: boolean,
    limits?: { rpm?: number; tpm?: number },
    budgets?: { dailyUsd?: number; monthlyUsd?: number },
  ): Promise<string>;
  /** Starts (or restarts) an app; `env` adds to the gateway's environment for this process. */
  start(app: AppName, name?: string, env?: Record<string, string>): Promise<void>;
  /** Starts another ingest-api process on its own port (same Redis, prefix and config); its URL. */
  startIngestReplica(name: string): Promise<string>;
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the real app processes (compiled `dist/apps/<app>/main.js`) against the test Redis
 * and Kafka, isolated by a unique key prefix, topic prefix, port and data folder.
 */
export async function startGateway(opts: {
  config: string;
  apps?: AppName[];
  env?: Record<string, string>;
  kafkaBrokers?: string[];
  /** A Redis of the test's own (e.g. one it kills and restarts); default: the runner's. */
  redisUrl?: string;
  /**
   * Runs the apps on a Redis Cluster (`host:port` of its nodes) instead of `redisUrl`;
   * default: the runner's cluster in `GATEWAY_TEST_REDIS=cluster` mode (unless `redisUrl`).
   */
  redisClusterNodes?: readonly string[];
  /**
   * Processes of each app; default `GATEWAY_TEST_SCALE` (1). A test that reads one process's
   * own state (its metrics registry, its log lines) sets 1 and says why.
   */
  scale?: number;
}): Promise<Gateway> {
  const root = repoRoot();
  // The compiled apps sit beside this compiled file: <dist>/test/support → <dist>.
  const distRoot = join(__dirname, '..', '..');
  const infra = testInfra();
  const kafkaBrokers = opts.kafkaBrokers ?? infra.kafkaBrokers;
  const id = randomBytes(4).toString('hex');
  const prefix = `t${id}`;
  const dataDir = join(
    process.env.GATEWAY_TEST_DATA_DIR ?? join(root, '.gateway', 'test'),
    `gw-${id}`,
  );
  mkdirSync(dataDir, { recursive: true });
  const configPath = join(dataDir, 'gateway.yaml');
  writeFileSync(configPath, opts.config);
  const scale = opts.scale ?? testScale();
  const clusterNodes =
    opts.redisClusterNodes ?? (opts.redisUrl ? undefined : infra.redisClusterNodes);
  const port = await freePort();
  const adminKey = `adm_${randomBytes(16).toString('hex')}`;
  const topicPrefix = `${prefix}.`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: opts.redisUrl ?? infra.redisUrl,
    KAFKA_BROKERS: kafkaBrokers.join(','),
    GATEWAY_CONFIG: configPath,
    GATEWAY_DATA_DIR: dataDir,
    GATEWAY_KEY_PREFIX: prefix,
    GATEWAY_TOPIC_PREFIX: topicPrefix,
    GATEWAY_ADMIN_KEY: adminKey,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...(clusterNodes
      ? { REDIS_CLUSTER_NODES: clusterNodes.join(',') }
      : { REDIS_CLUSTER_NODES: undefined }),
    ...opts.env,
  };
  const procs = new Map<string, ChildProcess>();
  const outputs = new Map<string, Buffer[]>();
  // Bounded so a chatty process cannot exhaust the test's memory.
  const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
  let outputBytes = 0;
  const keep = (name: string, d: Buffer) => {
    if (outputBytes + d.length > MAX_OUTPUT_BYTES) return;
    outputBytes += d.length;
    const list = outputs.get(name) ?? [];
    list.push(d);
    outputs.set(name, list);
  };
  const url = `http://127.0.0.1:${port}`;
  const replicaNames = (app: AppName) =>
    Array.from({ length: scale }, (_, i) => (i === 0 ? app : `${app}-r${i + 1}`));
  // Scaled: each ingest process has a port of its own (kept across restarts) and the
  // balancer at `url` spreads requests over those of them that are alive and ready.
  const ingestPorts = new Map<string, number>();
  const balanced = new Set(scale > 1 ? replicaNames('ingest-api') : []);
  const ready = new Set<string>();
  const balancer =
    scale > 1
      ? new IngestBalancer(() =>
          [...balanced]
            .filter((n) => ready.has(n))
            .map((n) => ({ name: n, port: ingestPorts.get(n)! })),
        )
      : undefined;
  await balancer?.listen(port);

  const start = async (
    app: AppName,
    name: string = app,
    ownPort?: number,
    ownEnv: Record<string, string> = {},
  ) => {
    let appPort = ownPort;
    if (app === 'ingest-api' && balanced.has(name)) {
      appPort = ingestPorts.get(name) ?? (await freePort());
      ingestPorts.set(name, appPort);
    }
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', join(distRoot, 'apps', app, 'main.js')],
      {
        cwd: root,
        env: {
          ...env,
          GATEWAY_INSTANCE_ID: name,
          ...(appPort === undefined ? {} : { PORT: String(appPort) }),
          ...ownEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (d: Buffer) => keep(name, d));
    child.stderr?.on('data', (d: Buffer) => {
      keep(name, d);
      if (process.env.GATEWAY_TEST_VERBOSE) process.stderr.write(`[${name}] ${d}`);
    });
    procs.set(name, child);
    child.once('exit', () => ready.delete(name));
    if (app === 'ingest-api') {
      await (appPort === undefined
        ? waitReady(url, child)
        : waitReady(`http://127.0.0.1:${appPort}`, child, 90_000));
      if (child.exitCode === null) ready.add(name);
    }
  };
  const topics = {
    results: `${topicPrefix}ai.results.v1`,
    audit: `${topicPrefix}ai.audit.v1`,
    requests: `${topicPrefix}ai.requests.v1`,
    requestsDlq: `${topicPrefix}ai.requests.dlq.v1`,
  };
  const { ensureTopics } = await import('../../infra/src/kafka-broker.js');
  await ensureTopics(kafkaBrokers, Object.values(topics), 3);
  // The processes of one app start together; the apps in order (the ingest API first).
  for (const app of opts.apps ?? ALL_APPS)
    await Promise.all(replicaNames(app).map((name) => start(app, name)));

  return {
    url,
    adminKey,
    prefix,
    topics,
    dataDir,
    redisUrl: opts.redisUrl ?? infra.redisUrl,
    redisClusterNodes: clusterNodes,
    kafkaBrokers,
    procs,
    scale,
    replicasOf: replicaNames,
    ingestRequests: () => balancer?.requestsPerProcess() ?? {},
    redis: () =>
      createRedisClient({
        url: opts.redisUrl ?? infra.redisUrl,
        clusterNodes: clusterNodes?.map((n) => ({
          host: n.split(':')[0],
          port: Number(n.split(':')[1]),
        })),
      }),
    output(name?: string) {
      const names = name === undefined ? [...outputs.keys()] : [name];
      return names.map((n) => Buffer.concat(outputs.get(n) ?? []).toString('utf8')).join('\n');
    },
    start: (app: AppName, name?: string, appEnv?: Record<string, string>) =>
      start(app, name, undefined, appEnv),
    async startIngestReplica(name: string) {
      const replicaPort = await freePort();
      await start('ingest-api', name, replicaPort);
      return `http://127.0.0.1:${replicaPort}`;
    },
    async tenantKey(
      tenantId,
      scopes = ['jobs:write', 'jobs:read', 'batches'],
      declared = false,
      limits?: { rpm?: number; tpm?: number },
      budgets?: { dailyUsd?: number; monthlyUsd?: number },
    ) {
      const h = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
      if (!declared) {
        const r = await fetch(`${url}/admin/tenants`, {
          method: 'POST',
          headers: h,
          body: JSON.stringify({ id: tenantId }),
        });
        if (r.status !== 201 && r.status !== 409)
          throw new Error(`tenant create: ${r.status} ${await r.text()}`);
      }
      const r = await fetch(`${url}/admin/tenants/${tenantId}/keys`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({
          scopes,
          ...(limits ? { limits } : {}),
          ...(budgets ? { budgets } : {}),
        }),
      });
      if (r.status !== 201) throw new Error(`key create: ${r.status} ${await r.text()}`);
      return ((await r.json()) as { key: string }).key;
    },
    async kill(name, signal = 'SIGKILL') {
      const p = procs.get(name);
      if (!p) return;
      if (signal === 'SIGKILL') {
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGKILL');
        await exited;
      } else await stopProcess(p, 10_000);
      procs.delete(name);
    },
    async stop() {
      await balancer?.close();
      await Promise.all([...procs.values()].map((p) => stopProcess(p, 10_000)));
      procs.clear();
      if (balancer) assertSpread(balancer.requestsPerProcess(), [...balanced]);
    },
  };
}

/** Every key matching `match`, on one server or on every master of a Cluster. */
export async function keysMatching(redis: RedisClient, match: string): Promise<string[]> {
  const found: string[] = [];
  await scanKeys(redis, match, async (keys) => {
    found.push(...keys);
  });
  return found;
}

/**
 * The scale-out mode's own proof: a test that sent the balancer a few requests reached every
 * ingest process (a test whose requests all met one process would prove nothing about
 * replicas).
 */
function assertSpread(counts: Record<string, number>, names: readonly string[]): void {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const summary = names.map((n) => `${n}=${counts[n] ?? 0}`).join(', ');
  console.log(`# requests per ingest process: ${summary}`);
  if (total >= 2 * names.length && names.some((n) => !counts[n]))
    throw new Error(`The balancer left an ingest process without requests: ${summary}`);
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`ingest-api exited with ${child.exitCode} during startup`);
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ingest-api not ready within ${timeoutMs / 1000} s`);
}
