import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { JobWaiter, type GatewayContext } from '@gateway/platform';
import { JobStore, Keys, newJobId } from '@gateway/queue';
import { createRedisClient, LocalBlobStore } from '@gateway/storage';
import type { Redis } from 'ioredis';
import type { JobRecord } from '@gateway/contracts';
import { queuedRecord } from '../support/job-records';
import { testInfra } from '../support/repo';
import { recordCommands } from '../support/socket-writes';

describe('job waiter: a long-poll woken by the terminal transition', () => {
  const redis = createRedisClient({ url: testInfra().redisUrl }) as Redis;
  const ctl = createRedisClient({ url: testInfra().redisUrl }) as Redis;
  const keys = new Keys(`jwt${Date.now()}`);
  const dir = mkdtempSync(join(tmpdir(), 'jwt-'));
  // Outputs over 1 KiB go to the blob store, so the published record holds a reference.
  const store = new JobStore(redis, keys, new LocalBlobStore(dir), {
    retentionSec: 3600,
    inlineMaxBytes: 1024,
  });
  const waiter = new JobWaiter({ redis, keys, store } as unknown as GatewayContext);
  after(() => {
    waiter.close();
    redis.disconnect();
    ctl.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A queued job, stored. */
  const newJob = async (): Promise<JobRecord> => {
    const record = queuedRecord(newJobId(Date.now()));
    await store.create({
      record,
      request: { task: 'summarize', input: { text: 'hi' } },
      events: [],
    });
    return record;
  };

  const subscribed = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const [, n] = (await ctl.pubsub('NUMSUB', keys.jobEvents(id))) as [string, number];
      if (Number(n) > 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the waiter never subscribed');
  };

  for (const [name, output] of [
    ['an inline output', { summary: 'short' }],
    ['an output kept in the blob store', { summary: 'x'.repeat(4000) }],
  ] as const) {
    it(`answers with the published record and reads nothing after the wake-up (${name})`, async () => {
      const record = await newJob();
      const id = record.id;
      const waiting = waiter.waitForTerminal(record, 5000);
      await subscribed(id);
      await store.transition(['queued'], { ...record, status: 'running' });
      const done: JobRecord = {
        ...record,
        status: 'succeeded',
        finishedAt: new Date().toISOString(),
        output,
      };
      const rec = recordCommands(redis);
      assert.equal(await store.transition(['running'], done), 'OK');
      const answered = await waiting;
      rec.stop();
      assert.equal(answered.status, 'succeeded');
      assert.deepEqual(answered.output, output);
      assert.deepEqual(answered, await store.get(id), 'the answer is the stored record');
      const reads = rec.seen.filter((c) => c === `hget ${keys.job(id)}`);
      assert.deepEqual(
        reads,
        [],
        `no read of the record after the wake-up: ${rec.seen.join(', ')}`,
      );
    });
  }

  it('still answers a job that finished before the subscription took hold', async () => {
    const record = await newJob();
    await store.transition(['queued'], {
      ...record,
      status: 'failed',
      finishedAt: record.createdAt,
    });
    const answered = await waiter.waitForTerminal(record, 5000);
    assert.equal(answered.status, 'failed');
  });

  it('wakes on a non-terminal status only to go on waiting, and gives up at its deadline', async () => {
    const record = await newJob();
    const id = record.id;
    const t0 = Date.now();
    const waiting = waiter.waitForTerminal(record, 400);
    await subscribed(id);
    await store.transition(['queued'], { ...record, status: 'running' });
    const answered = await waiting;
    assert.equal(answered.status, 'running');
    assert.ok(Date.now() - t0 >= 380, 'waited its whole time');
  });
});
