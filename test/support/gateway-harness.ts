import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, stopProcess } from '../../infra/src';
import { repoRoot, testInfra } from './repo';

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
  readonly url: string;
  readonly adminKey: string;
  readonly prefix: string;
  readonly topics: { results: string; audit: string; requests: string; requestsDlq: string };
  readonly dataDir: string;
  readonly redisUrl: string;
  /** The Redis Cluster's nodes when the apps run on one (REDIS_CLUSTER_NODES). */
  readonly redisClusterNodes: readonly string[] | undefined;
  readonly kafkaBrokers: string[];
  readonly procs: Map<string, ChildProcess>;
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
  /** Runs the apps on a Redis Cluster (`host:port` of its nodes) instead of `redisUrl`. */
  redisClusterNodes?: readonly string[];
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
    ...(opts.redisClusterNodes
      ? { REDIS_CLUSTER_NODES: opts.redisClusterNodes.join(',') }
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

  const start = async (
    app: AppName,
    name: string = app,
    ownPort?: number,
    ownEnv: Record<string, string> = {},
  ) => {
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', join(distRoot, 'apps', app, 'main.js')],
      {
        cwd: root,
        env: {
          ...env,
          GATEWAY_INSTANCE_ID: name,
          ...(ownPort === undefined ? {} : { PORT: String(ownPort) }),
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
    if (app === 'ingest-api')
      await (ownPort === undefined
        ? waitReady(url, child)
        : waitReady(`http://127.0.0.1:${ownPort}`, child, 90_000));
  };
  const topics = {
    results: `${topicPrefix}ai.results.v1`,
    audit: `${topicPrefix}ai.audit.v1`,
    requests: `${topicPrefix}ai.requests.v1`,
    requestsDlq: `${topicPrefix}ai.requests.dlq.v1`,
  };
  const { ensureTopics } = await import('../../infra/src/kafka-broker.js');
  await ensureTopics(kafkaBrokers, Object.values(topics), 3);
  for (const app of opts.apps ?? ALL_APPS) await start(app);

  return {
    url,
    adminKey,
    prefix,
    topics,
    dataDir,
    redisUrl: opts.redisUrl ?? infra.redisUrl,
    redisClusterNodes: opts.redisClusterNodes,
    kafkaBrokers,
    procs,
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
      await Promise.all([...procs.values()].map((p) => stopProcess(p, 10_000)));
      procs.clear();
    },
  };
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
