import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root, found from any compiled or source location. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('dist')) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + from);
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
