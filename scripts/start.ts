import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGatewayConfig, loadRuntimeEnv } from '@gateway/config';
import { kafkaSecurityOptions, resolveTopics } from '@gateway/events';
import { printProcessWarnings } from '@gateway/observability';
import { adapterCatalogue } from '@gateway/providers';
import { startInfra, type InfraHandle } from '../infra/src';
import { ensureAdminKey, ensureDevKey } from './lib/dev-credentials';
import { Supervisor } from './lib/supervisor';

// kafkajs's known negative timer stays off stderr; other warnings print as usual.
printProcessWarnings();

const APPS = [
  'ingest-api',
  'worker-llm',
  'worker-embeddings',
  'worker-vision',
  'dispatcher',
] as const;
/** Apps without an HTTP API serve /metrics on METRICS_PORT (default 9101), +1, +2, +3. */
const METRICS_OFFSETS: Record<string, number> = {
  'worker-llm': 0,
  'worker-embeddings': 1,
  'worker-vision': 2,
  dispatcher: 3,
};
const DEFAULT_METRICS_PORT = 9101;

const say = (m: string) => console.log(`[gateway] ${m}`);

/**
 * What is running, for the stop path. Ctrl-C can come at any time, also while Redis and
 * Kafka are still starting: those are stopped then too.
 */
const running: {
  startup: AbortController;
  infra?: Promise<InfraHandle>;
  sup?: Supervisor;
  stopping: boolean;
} = { startup: new AbortController(), stopping: false };

/** Stops the apps, then the Redis and Kafka this process started, and exits. */
async function stop(reason: string, code: number): Promise<void> {
  if (running.stopping) return;
  running.stopping = true;
  // Before Redis and Kafka are up this cancels their startup; afterwards it does nothing.
  running.startup.abort();
  say(`${reason}: stopping the apps, then Redis and Kafka...`);
  const s = Date.now();
  await running.sup?.stop(4000);
  const infra = await running.infra?.catch(() => undefined);
  await infra?.stop();
  say(`stopped in ${Date.now() - s} ms`);
  process.exit(code);
}

/** `npm start`: Redis, Kafka, every app supervised; Ctrl-C stops apps, then infrastructure. */
async function main(): Promise<void> {
  const t0 = Date.now();
  process.on('SIGINT', () => void stop('SIGINT', 0));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  // npm runs us from the repository; the compiled apps sit beside this compiled file.
  const root = process.cwd();
  const dist = resolve(__dirname, '..');
  const env = loadRuntimeEnv(process.env, root);
  mkdirSync(env.dataDir, { recursive: true });
  const config = loadGatewayConfig(env.configPath, env.vars, adapterCatalogue);
  const topics = resolveTopics(config.kafka.topics, env.topicPrefix);
  running.infra = startInfra({
    repoRoot: root,
    dataDir: env.dataDir,
    redisUrl: env.redisUrl,
    redisClusterNodes: env.redisClusterNodes?.map((n) => `${n.host}:${n.port}`),
    kafkaBrokers: [...env.kafkaBrokers],
    kafkaClient: kafkaSecurityOptions(env.kafkaSecurity),
    topics: Object.values(topics),
    partitions: config.kafka.partitions,
    log: say,
    // Infrastructure-only setting, read here at the outer edge: the KRaft controller port.
    kafkaControllerPort: process.env.KAFKA_CONTROLLER_PORT
      ? Number(process.env.KAFKA_CONTROLLER_PORT)
      : undefined,
    signal: running.startup.signal,
  });
  const infra = await running.infra;
  const admin = ensureAdminKey(env.dataDir, env.adminKey);
  const devTenant = config.tenants.find((t) => t.id === 'dev')?.id ?? config.tenants[0]?.id;
  const dev = devTenant
    ? await ensureDevKey({
        dataDir: env.dataDir,
        redis: { url: env.redisUrl, clusterNodes: env.redisClusterNodes },
        prefix: env.keyPrefix,
        tenantId: devTenant,
      })
    : undefined;
  if (running.stopping) return;

  const writePids = () =>
    writeFileSync(
      join(env.dataDir, 'pids.json'),
      JSON.stringify(
        {
          supervisor: process.pid,
          apps: sup.pids(),
          redis: infra.redis.child?.pid,
          kafka: infra.kafka.child?.pid,
        },
        null,
        2,
      ),
    );
  const metricsPort = env.metricsPort ?? DEFAULT_METRICS_PORT;
  const sup = new Supervisor(
    dist,
    join(env.dataDir, 'logs'),
    { ...process.env, GATEWAY_ADMIN_KEY: admin.key, NODE_ENV: env.nodeEnv },
    say,
    () => writePids(),
  );
  running.sup = sup;
  for (const app of APPS)
    sup.start({
      name: app,
      env:
        app in METRICS_OFFSETS ? { METRICS_PORT: String(metricsPort + METRICS_OFFSETS[app]) } : {},
    });

  const url = `http://${env.host}:${env.port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !running.stopping) {
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (running.stopping) return;
  if (Date.now() >= deadline) {
    say(`the gateway did not become ready within 60 s; see ${join(env.dataDir, 'logs')}`);
    await stop('startup failure', 1);
    return;
  }
  say(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  say(`URL:           ${url}  (API docs: ${url}/docs)`);
  say(`admin key:     ${admin.path ?? 'from GATEWAY_ADMIN_KEY'}`);
  if (dev) say(`dev API key:   ${dev.key}  (also in ${dev.path})`);
  say(
    `try:  curl -s -X POST ${url}/v1/jobs -H "authorization: Bearer $(cat ${dev?.path ?? '.gateway/dev-key'})" -H 'content-type: application/json' -d '{"task":"summarize","input":{"text":"..."}}'`,
  );
  say('Ctrl-C stops everything.');
}

main().catch(async (e: unknown) => {
  // A cancelled startup (Ctrl-C) is finished by stop() itself.
  if (running.stopping) return;
  console.error(`[gateway] start failed: ${(e as Error).message}`);
  if (running.infra) await stop('start failed', 1);
  else process.exit(1);
});
