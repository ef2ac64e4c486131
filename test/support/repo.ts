import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root: above this file (source or dist/), else the working folder (tests
 * compiled into a private folder by scripts/test-isolated.sh run from the repository).
 */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('dist')) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** Test infrastructure addresses handed over by `npm test`. */
export function testInfra(): {
  redisUrl: string;
  /** The runner's Redis Cluster (`GATEWAY_TEST_REDIS=cluster`): the apps' default Redis then. */
  redisClusterNodes: readonly string[] | undefined;
  kafkaBrokers: string[];
} {
  const redisUrl = process.env.REDIS_URL;
  const brokers = process.env.KAFKA_BROKERS;
  if (!redisUrl || !brokers)
    throw new Error('Run tests through `npm test`, which starts Redis and Kafka for them');
  const cluster = process.env.GATEWAY_TEST_REDIS_CLUSTER_NODES;
  return {
    redisUrl,
    redisClusterNodes: cluster ? cluster.split(',') : undefined,
    kafkaBrokers: brokers.split(','),
  };
}

/**
 * Processes of each app a test gateway runs (`GATEWAY_TEST_SCALE`, default 1): the
 * scale-out mode of the end-to-end suite.
 */
export function testScale(): number {
  const raw = process.env.GATEWAY_TEST_SCALE ?? '1';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 4)
    throw new Error(`GATEWAY_TEST_SCALE must be a whole number from 1 to 4, got "${raw}"`);
  return n;
}
