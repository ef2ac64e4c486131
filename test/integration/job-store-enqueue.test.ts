import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { idempotencyShard, JobQueues, JobStore, Keys, newJobId } from '@gateway/queue';
import { createRedisClient, LocalBlobStore } from '@gateway/storage';
import type { Redis } from 'ioredis';
import { queuedRecord } from '../support/job-records';
import { testInfra } from '../support/repo';
import { countSocketWrites } from '../support/socket-writes';

describe('job store: a new job and its queue entry', () => {
  const redis = createRedisClient({ url: testInfra().redisUrl }) as Redis;
  const keys = new Keys(`jse${Date.now()}`);
  const dir = mkdtempSync(join(tmpdir(), 'jse-'));
  const blobs = new LocalBlobStore(dir);
  const opts = { retentionSec: 3600, inlineMaxBytes: 64 * 1024 };
  const queues = new JobQueues(redis, keys.bullPrefix());
  after(async () => {
    await queues.close();
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Creates a job with an enqueue that records what Redis holds when its add runs. */
  const create = async (
    store: JobStore,
    id: string,
    idempotency?: { key: string; bodyHash: string; ttlSec: number },
  ) => {
    let statusSeenByQueue: string | null | undefined;
    const res = await store.create({
      record: queuedRecord(id),
      request: { task: 'summarize', input: { text: 'hello' } },
      idempotency,
      events: [],
      enqueue: async () => {
        // Sent on the same connection right behind the add: Redis answers it after the add.
        const [, status] = await Promise.all([
          queues.enqueue(
            'fast-llm',
            { jobId: id, hop: 0 },
            {
              priority: 'normal',
              attempts: 1,
              backoffMs: 100,
            },
          ),
          redis.hget(keys.job(id), 'status'),
        ]);
        statusSeenByQueue = status;
      },
    });
    return { res, statusSeenByQueue };
  };

  it('sends both in one socket write on one connection, the job ahead of its queue entry', async () => {
    const store = new JobStore(redis, keys, blobs, { ...opts, queuesShareConnection: true });
    await queues.queue('fast-llm').waitUntilReady();
    // Loads both scripts into Redis (a first call may be answered NOSCRIPT and sent again).
    await create(store, newJobId(Date.now()));
    const id = newJobId(Date.now());
    const writes = countSocketWrites(redis);
    const { res, statusSeenByQueue } = await create(store, id);
    assert.deepEqual(res, { created: true });
    assert.equal(writes.count(), 1, 'the job, its index entry and the queue add leave together');
    assert.equal(statusSeenByQueue, 'queued', 'Redis ran the add after the job was stored');
    assert.ok(await queues.queue('fast-llm').getJob(id), 'the queue entry exists');
  });

  it('waits for the stored job first when the queues use another connection', async () => {
    const store = new JobStore(redis, keys, blobs, opts);
    await redis.ping();
    const id = newJobId(Date.now());
    const writes = countSocketWrites(redis);
    const { res, statusSeenByQueue } = await create(store, id);
    assert.deepEqual(res, { created: true });
    assert.equal(writes.count(), 2);
    assert.equal(statusSeenByQueue, 'queued');
    assert.ok(await queues.queue('fast-llm').getJob(id));
  });

  it('enqueues nothing for an Idempotency-Key that is taken already', async () => {
    const store = new JobStore(redis, keys, blobs, { ...opts, queuesShareConnection: true });
    const idem = { key: 'k-1', bodyHash: 'h', ttlSec: 60 };
    const first = newJobId(Date.now(), idempotencyShard('acme', idem.key));
    assert.deepEqual((await create(store, first, idem)).res, { created: true });
    const second = newJobId(Date.now(), idempotencyShard('acme', idem.key));
    const again = await create(store, second, idem);
    assert.deepEqual(again.res, { created: false, jobId: first, sameBody: true });
    assert.equal(again.statusSeenByQueue, undefined, 'no enqueue for the duplicate');
    assert.equal(await queues.queue('fast-llm').getJob(second), undefined);
  });
});
