import Fastify from 'fastify';
import { Queue, Worker } from 'bullmq';

/**
 * Baselines measured in the same run as the gateway:
 *   ingest <port> <redisUrl> <prefix>   a bare Fastify route doing one BullMQ add per request
 *   worker <redisUrl> <prefix> <n> <c>  a no-op BullMQ worker; prints when n jobs completed
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
    const [redisUrl, prefix, n, c] = args;
    let done = 0;
    let first = 0;
    const worker = new Worker('bare-e2e', async () => ({ ok: true }), {
      connection: { url: redisUrl, maxRetriesPerRequest: null },
      prefix,
      concurrency: Number(c),
    });
    worker.on('completed', () => {
      if (done === 0) first = Date.now();
      if (++done === Number(n)) {
        process.send?.({ done, firstAt: first, lastAt: Date.now() });
        void worker.close().then(() => process.exit(0));
      }
    });
    process.send?.('ready');
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

void main();
