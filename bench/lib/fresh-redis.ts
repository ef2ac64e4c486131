import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/**
 * Empties the bench's own Redis and waits until no background save or AOF rewrite runs, so
 * both sides of a comparison start from the same state: without it the side measured second
 * runs beside what the first left (a baseline's hundreds of thousands of queue entries) and
 * may share the machine with the rewrite that data set off.
 */
export async function freshRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  try {
    await redis.connect();
    await redis.flushall();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const info = await redis.info('persistence');
      if (!/(aof_rewrite|rdb_bgsave)_in_progress:1/.test(info)) return;
      if (Date.now() > deadline) throw new Error('Redis still rewriting its AOF after 60 s');
      await sleep(200);
    }
  } finally {
    redis.disconnect();
  }
}
