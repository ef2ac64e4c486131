import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Queue, Worker } from 'bullmq';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { freePort, isAlive, redisAnswers, startInfra, type InfraHandle } from '../../infra/src';
import { repoRoot } from '../support/repo';

describe('platform bootstrap from nothing', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-platform-'));
  let infra: InfraHandle | undefined;
  after(async () => {
    await infra?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts Redis (AOF, noeviction) and a KRaft Kafka, round-trips Kafka and BullMQ, and stops leaving no process', async () => {
    const [rp, kp, cp] = [await freePort(), await freePort(), await freePort()];
    assert.ok(
      !existsSync(join(dataDir, 'redis')) && !existsSync(join(dataDir, 'kafka')),
      'starts from an empty folder',
    );
    infra = await startInfra({
      repoRoot: repoRoot(),
      dataDir,
      redisUrl: `redis://127.0.0.1:${rp}`,
      kafkaBrokers: [`127.0.0.1:${kp}`],
      kafkaControllerPort: cp,
      topics: ['platform.check.v1'],
      partitions: 2,
      log: () => undefined,
    });
    assert.ok(
      infra.redis.child?.pid && infra.kafka.child?.pid,
      'both servers were started by the bootstrap',
    );
    const conf = readFileSync(join(dataDir, 'redis', 'redis.conf'), 'utf8');
    assert.match(conf, /appendonly yes/);
    assert.match(conf, /appendfsync everysec/);
    assert.match(conf, /maxmemory-policy noeviction/);
    assert.ok(existsSync(join(dataDir, 'kafka', 'data', 'meta.properties')), 'storage formatted');

    // Kafka: produce and consume through kafkajs.
    const kafka = new Kafka({
      clientId: 'platform-test',
      brokers: infra.kafka.brokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'platform.check.v1',
      messages: [{ key: 'k', value: 'hello kafka' }],
    });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'platform-test' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'platform.check.v1', fromBeginning: true });
    const got = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(t);
          resolve(message.value!.toString());
        },
      });
    });
    await consumer.disconnect();
    assert.equal(got, 'hello kafka');

    // BullMQ: a job round-trips through Redis.
    const connection = { url: infra.redis.url, maxRetriesPerRequest: null };
    const queue = new Queue('platform-check', { connection });
    const worker = new Worker(
      'platform-check',
      async (job) => ({ doubled: (job.data as { n: number }).n * 2 }),
      { connection },
    );
    const done = new Promise<unknown>((resolve) => worker.on('completed', (_j, rv) => resolve(rv)));
    await queue.add('double', { n: 21 });
    assert.deepEqual(await done, { doubled: 42 });
    await worker.close();
    await queue.close();

    const pids = [infra.redis.child.pid, infra.kafka.child.pid];
    await infra.stop();
    infra = undefined;
    assert.deepEqual(pids.filter(isAlive), [], 'no process left behind');
  });

  it('a start that fails half-way stops the Redis it had started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-platform-half-'));
    const redisUrl = `redis://127.0.0.1:${await freePort()}`;
    try {
      // Kafka cannot start (a two-broker list is never started locally) while Redis can.
      await assert.rejects(
        startInfra({
          repoRoot: repoRoot(),
          dataDir: dir,
          redisUrl,
          kafkaBrokers: [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`],
          topics: [],
          partitions: 1,
          log: () => undefined,
        }),
        /No Kafka broker answers/,
      );
      assert.ok(existsSync(join(dir, 'redis', 'redis.conf')), 'Redis was being started');
      // Give a Redis left running the time to come up, so the check below cannot miss it.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await redisAnswers(redisUrl), false, 'no Redis left running');
    } finally {
      if (await redisAnswers(redisUrl)) {
        const leftover = new Redis(redisUrl);
        await leftover.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
        leftover.disconnect();
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
