import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { printProcessWarnings } from '@gateway/observability';
import { run, startPrivateInfra, startRedisCluster, type RedisClusterHandle } from '../infra/src';
import { ensureChromium } from './lib/chromium';

// kafkajs's known negative timer stays off stderr; other warnings print as usual.
printProcessWarnings();

/**
 * `npm test`: lint, then unit, integration and end-to-end tests in one node:test run against
 * a Redis and a Kafka of its own (fresh data, free ports; never the development instance).
 * `GATEWAY_TEST_REDIS=cluster` also starts a 3-master Redis Cluster, on which every test
 * gateway then runs (`npm run test:cluster`); `GATEWAY_TEST_SCALE=2` is passed on to the
 * harness, which then runs two processes of each app (`npm run test:scale-out`).
 */
async function main(): Promise<void> {
  // The repository (package.json, infra/, .gateway/) is where npm runs us; the compiled
  // output may live elsewhere (scripts/test-isolated.sh builds into a private folder).
  const root = process.cwd();
  const dist = resolve(__dirname, '..');
  const args = process.argv.slice(2);
  const say = (m: string) => console.log(`[test] ${m}`);
  if (!args.includes('--no-lint')) {
    say('lint: eslint, prettier, madge');
    await run('npm', ['run', '--silent', 'lint'], { cwd: root });
  }
  await ensureChromium(say);
  const redisMode = process.env.GATEWAY_TEST_REDIS ?? 'single';
  if (redisMode !== 'single' && redisMode !== 'cluster')
    throw new Error(`GATEWAY_TEST_REDIS must be "single" or "cluster", got "${redisMode}"`);
  const t0 = Date.now();
  const infra = await startPrivateInfra(root, 'test', say);
  const dataDir = infra.dataDir;
  let cluster: RedisClusterHandle | undefined;
  if (redisMode === 'cluster') {
    try {
      cluster = await startRedisCluster({ dataDir, log: say });
    } catch (e) {
      await infra.stop();
      throw e;
    }
  }
  say(`Redis and Kafka up in ${Date.now() - t0} ms`);
  const files = args.filter((a) => !a.startsWith('--'));
  const patterns = files.length
    ? files
    : [`${dist}/libs/**/*.spec.js`, `${dist}/apps/**/*.spec.js`, `${dist}/test/**/*.test.js`];
  const code = await new Promise<number>((res) => {
    const child = spawn(
      process.execPath,
      [
        '--enable-source-maps',
        '--test',
        '--test-reporter=spec',
        '--test-concurrency=2',
        '--test-timeout=300000',
        ...patterns,
      ],
      {
        cwd: root,
        stdio: 'inherit',
        env: {
          ...process.env,
          NODE_ENV: 'test',
          REDIS_URL: infra.redis.url,
          ...(cluster ? { GATEWAY_TEST_REDIS_CLUSTER_NODES: cluster.nodes.join(',') } : {}),
          KAFKA_BROKERS: infra.kafka.brokers.join(','),
          // The same broker's SASL_SSL listener, for the Kafka TLS/SASL settings' tests.
          KAFKA_TEST_SECURE_BROKERS: infra.secure.brokers.join(','),
          KAFKA_TEST_SECURE_CA_FILE: infra.secure.caFile,
          KAFKA_TEST_SECURE_USERNAME: infra.secure.username,
          KAFKA_TEST_SECURE_PASSWORD: infra.secure.password,
          GATEWAY_TEST_DATA_DIR: dataDir,
          LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        },
      },
    );
    // A file that never exits (a lingering handle) must fail the run, not hang CI. Forcing
    // each file to exit instead (--test-force-exit) was seen to cut files short silently.
    const deadline = setTimeout(() => {
      console.error('[test] the run passed its 25-minute deadline; stopping it');
      child.kill('SIGKILL');
    }, 25 * 60_000);
    child.on('exit', (c) => {
      clearTimeout(deadline);
      res(c ?? 1);
    });
  });
  await Promise.allSettled([infra.stop(), cluster?.stop()]);
  if (code === 0) rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}

main().catch((e: unknown) => {
  console.error(`[test] failed: ${(e as Error).message}`);
  process.exit(1);
});
