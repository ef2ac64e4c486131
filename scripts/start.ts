import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGatewayConfig, loadRuntimeEnv } from '@gateway/config';
import { kafkaSecurityOptions, resolveTopics } from '@gateway/events';
import { adapterCatalogue } from '@gateway/providers';
import { startInfra } from '../infra/src';
import { ensureAdminKey, ensureDevKey } from './lib/dev-credentials';
import { Supervisor } from './lib/supervisor';

/** Stops what was started when startup fails half-way. */
let cleanup: (() => Promise<void>) | undefined;

const APPS = [
  'ingest-api',
  'worker-llm',
  'worker-embeddings',
  'worker-vision',
  'dispatcher',
] as const;
const METRICS_PORTS: Record<string, number> = {
  'worker-llm': 9101,
  'worker-embeddings': 9102,
  'worker-vision': 9103,
  dispatcher: 9104,
};

/** `npm start`: Redis, Kafka, every app supervised; Ctrl-C stops apps, then infrastructure. */
async function main(): Promise<void> {
  const t0 = Date.now();
  // npm runs us from the repository; the compiled apps sit beside this compiled file.
  const root = process.cwd();
  const dist = resolve(__dirname, '..');
  const env = loadRuntimeEnv(process.env, root);
  const say = (m: string) => console.log(`[gateway] ${m}`);
  mkdirSync(env.dataDir, { recursive: true });
  const config = loadGatewayConfig(env.configPath, env.vars, adapterCatalogue);
  const topics = resolveTopics(config.kafka.topics, env.topicPrefix);
  const infra = await startInfra({
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
  });
  cleanup = () => infra.stop();
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
  const sup = new Supervisor(
    dist,
    join(env.dataDir, 'logs'),
    { ...process.env, GATEWAY_ADMIN_KEY: admin.key, NODE_ENV: env.nodeEnv },
    say,
    () => writePids(),
  );
  for (const app of APPS)
    sup.start({
      name: app,
      env: METRICS_PORTS[app] ? { METRICS_PORT: String(METRICS_PORTS[app]) } : {},
    });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping the apps, then Redis and Kafka...`);
    const s = Date.now();
    await sup.stop(4000);
    await infra.stop();
    say(`stopped in ${Date.now() - s} ms`);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const url = `http://${env.host}:${env.port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !stopping) {
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (stopping) return;
  if (Date.now() >= deadline) {
    say(`the gateway did not become ready within 60 s; see ${join(env.dataDir, 'logs')}`);
    await stop('startup failure');
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
  console.error(`[gateway] start failed: ${(e as Error).message}`);
  await cleanup?.().catch(() => undefined);
  process.exit(1);
});
