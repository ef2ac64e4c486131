import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { JobRequest } from '@gateway/contracts';
import { JobStore, Keys, newJobId } from '@gateway/queue';
import { createRedisClient, LocalBlobStore } from '@gateway/storage';
import {
  DeliveryScheduler,
  WebhookDeliveryQueue,
  WebhookEndpointStore,
  WebhookKeys,
} from '@gateway/webhooks';
import type { Redis } from 'ioredis';
import { queuedRecord } from '../support/job-records';
import { testInfra } from '../support/repo';
import { recordCommands } from '../support/socket-writes';

describe('webhook scheduling from result events', () => {
  const url = testInfra().redisUrl;
  const redis = createRedisClient({ url }) as Redis;
  const prefix = `whs${Date.now()}`;
  const keys = new Keys(prefix);
  const dir = mkdtempSync(join(tmpdir(), 'whs-'));
  const store = new JobStore(redis, keys, new LocalBlobStore(dir), {
    retentionSec: 3600,
    inlineMaxBytes: 64 * 1024,
  });
  const whKeys = new WebhookKeys(prefix);
  const queue = new WebhookDeliveryQueue({ url, maxRetriesPerRequest: null }, whKeys);
  const scheduler = new DeliveryScheduler(
    store,
    new WebhookEndpointStore(redis, whKeys),
    queue,
    () => 3,
  );
  after(async () => {
    await queue.queue.close();
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = async (request: JobRequest) => {
    const record = queuedRecord(newJobId(Date.now()));
    await store.create({ record, request, events: [] });
    return record.id;
  };
  const resultEvent = (id: string) =>
    JSON.stringify({ type: 'ai.results.v1', data: { id, tenantId: 'acme', status: 'succeeded' } });
  const input = { text: 'Queues keep jobs.' };

  it('reads the request only of jobs whose request names a webhook', async () => {
    const plain = await stored({ task: 'summarize', input });
    const hooked = await stored({
      task: 'summarize',
      input,
      webhook: { url: 'https://hooks.example.com/done' },
    });
    const rec = recordCommands(redis);
    const items = await scheduler.scheduleFromResults([resultEvent(plain), resultEvent(hooked)]);
    rec.stop();
    assert.deepEqual(
      items.map((d) => [d.jobId, d.url, d.event]),
      [[hooked, 'https://hooks.example.com/done', 'job.succeeded']],
    );
    const requestReads = rec.seen.filter((c) => c.startsWith('get ') && c.includes(':req:'));
    assert.deepEqual(requestReads, [`get ${keys.request(hooked)}`]);
    assert.ok(rec.seen.includes(`hget ${keys.job(plain)}`), rec.seen.join('\n'));
  });

  it('still finds the webhook of a job stored without the mark', async () => {
    const older = await stored({
      task: 'summarize',
      input,
      webhook: { url: 'https://hooks.example.com/older' },
    });
    // A job stored before its hash carried the mark.
    await redis.hdel(keys.job(older), 'wh');
    const items = await scheduler.scheduleFromResults([resultEvent(older)]);
    assert.deepEqual(
      items.map((d) => [d.jobId, d.url]),
      [[older, 'https://hooks.example.com/older']],
    );
  });
});
