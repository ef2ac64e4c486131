import Fastify from 'fastify';
import { Queue, Worker } from 'bullmq';
import { Kafka, logLevel } from 'kafkajs';
import { printProcessWarnings } from '@gateway/observability';

// kafkajs's known negative timer stays off stderr; other warnings print as usual.
printProcessWarnings();

/**
 * Baselines measured in the same run as the gateway:
 *   ingest <port> <redisUrl> <prefix>   a bare Fastify route doing one BullMQ add per request
 *   worker <redisUrl> <prefix> <n> <c> [warmup]  a no-op BullMQ worker; tells when the first
 *       `warmup` jobs completed (if given), then when n jobs completed
 *   kafka-relay <brokers> <in> <out> <group>  a pass-through consumer group: each batch of
 *       <in> is produced to <out> (key, value, headers kept), then its offsets resolved
 */
async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'ingest') {
    const [port, redisUrl, prefix] = args;
    const queue = new Queue('bare', {
      connection: { url: redisUrl, maxRetriesPerRequest: null },
      prefix,
    });
    const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
    app.post('/jobs', async (req, reply) => {
      const job = await queue.add('job', req.body, { removeOnComplete: true });
      return reply.status(202).send({ id: job.id });
    });
    await app.listen({ host: '127.0.0.1', port: Number(port) });
    process.send?.('ready');
    process.on(
      'SIGTERM',
      () =>
        void app
          .close()
          .then(() => queue.close())
          .then(() => process.exit(0)),
    );
    return;
  }
  if (mode === 'worker') {
    const [redisUrl, prefix, n, c, warmup] = args;
    let done = 0;
    let first = 0;
    const worker = new Worker('bare-e2e', async () => ({ ok: true }), {
      connection: { url: redisUrl, maxRetriesPerRequest: null },
      prefix,
      concurrency: Number(c),
    });
    worker.on('completed', () => {
      if (done === 0) first = Date.now();
      if (warmup && done + 1 === Number(warmup)) process.send?.({ warm: true });
      if (++done === Number(n)) {
        process.send?.({ done, firstAt: first, lastAt: Date.now() });
        void worker.close().then(() => process.exit(0));
      }
    });
    process.send?.('ready');
    return;
  }
  if (mode === 'kafka-relay') {
    const [brokers, inTopic, outTopic, groupId] = args;
    const kafka = new Kafka({
      clientId: 'bench-relay',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    // The same consumer settings as the gateway's request ingress.
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [inTopic], fromBeginning: true });
    const joined = new Promise((r) => consumer.on(consumer.events.GROUP_JOIN, r));
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        if (batch.messages.length === 0) return;
        await producer.send({
          topic: outTopic,
          messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
        });
        resolveOffset(batch.messages[batch.messages.length - 1].offset);
        await heartbeat();
      },
    });
    await joined;
    process.send?.('ready');
    process.on(
      'SIGTERM',
      () =>
        void consumer
          .disconnect()
          .then(() => producer.disconnect())
          .then(() => process.exit(0)),
    );
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

void main();
