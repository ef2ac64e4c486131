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
export function testInfra(): { redisUrl: string; kafkaBrokers: string[] } {
  const redisUrl = process.env.REDIS_URL;
  const brokers = process.env.KAFKA_BROKERS;
  if (!redisUrl || !brokers)
    throw new Error('Run tests through `npm test`, which starts Redis and Kafka for them');
  return { redisUrl, kafkaBrokers: brokers.split(',') };
}
