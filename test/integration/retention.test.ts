import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Keys, RetentionSweeper } from '@gateway/queue';
import { LocalBlobStore } from '@gateway/storage';
import { Redis } from 'ioredis';
import { testInfra } from '../support/repo';

describe('retention', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-retention-'));
  const redis = new Redis(testInfra().redisUrl);
  after(() => {
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes blobs and index entries older than the window and keeps recent ones', async () => {
    const keys = new Keys(`ret${Date.now()}`);
    const blobs = new LocalBlobStore(dir);
    const day = 86400_000;
    const now = Date.parse('2026-11-25T12:00:00Z');
    await blobs.put('jobs/2026-11-01/job_old.request.json', '{}');
    await blobs.put('jobs/2026-11-24/job_new.request.json', '{}');
    const index = keys.tenantJobs('acme');
    await redis.zadd(index, String(now - 20 * day), 'job_old', String(now - day), 'job_new');
    // 7-day retention: queued records are kept for twice the window, so 14 days.
    const sweeper = new RetentionSweeper(redis, keys, blobs, () => 7 * 86400);
    const res = await sweeper.sweep(now);
    assert.deepEqual(res, { blobDays: 1, indexEntries: 1 });
    assert.deepEqual(await blobs.list('jobs'), ['2026-11-24']);
    assert.deepEqual(await redis.zrange(index, '0', '-1'), ['job_new']);
  });
});
