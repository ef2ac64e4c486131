import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { printProcessWarnings } from '@gateway/observability';
import { startPrivateInfra } from '../infra/src';

// kafkajs's known negative timer stays off stderr; other warnings print as usual.
printProcessWarnings();

/**
 * `npm run bench [-- name ...]`: runs benchmarks (bench/<name>.bench.ts, compiled) one after
 * another against a Redis and a Kafka of their own. Each writes bench/results/<name>.{json,md}.
 */
async function main(): Promise<void> {
  const root = process.cwd();
  const dist = resolve(__dirname, '..');
  const say = (m: string) => console.log(`[bench] ${m}`);
  const all = readdirSync(join(dist, 'bench'))
    .filter((f) => f.endsWith('.bench.js'))
    .map((f) => f.replace(/\.bench\.js$/, ''));
  const names = process.argv.slice(2).length
    ? process.argv.slice(2)
    : all.filter((n) => n !== 'soak');
  for (const n of names) {
    if (!existsSync(join(dist, 'bench', `${n}.bench.js`)))
      throw new Error(`No bench "${n}"; known: ${all.join(', ')}`);
  }
  const infra = await startPrivateInfra(root, 'bench', say);
  const dataDir = infra.dataDir;
  let failed = 0;
  try {
    for (const name of names) {
      say(`running ${name}`);
      const code = await new Promise<number>((res) => {
        const child = spawn(
          process.execPath,
          ['--enable-source-maps', join(dist, 'bench', `${name}.bench.js`)],
          {
            cwd: root,
            stdio: 'inherit',
            env: {
              ...process.env,
              NODE_ENV: 'production',
              REDIS_URL: infra.redis.url,
              KAFKA_BROKERS: infra.kafka.brokers.join(','),
              GATEWAY_TEST_DATA_DIR: dataDir,
              LOG_LEVEL: 'error',
            },
          },
        );
        child.on('exit', (c) => res(c ?? 1));
      });
      if (code !== 0) failed++;
    }
  } finally {
    await infra.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e: unknown) => {
  console.error(`[bench] failed: ${(e as Error).message}`);
  process.exit(1);
});
