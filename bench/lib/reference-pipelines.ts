import { randomBytes, randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { Agent, request } from 'undici';
import { JobRequest } from '@gateway/contracts';
import { hashApiKey } from '@gateway/governance';
import { printProcessWarnings } from '@gateway/observability';
import { LEAN_KEY } from './reference-run';

// kafkajs's known negative timer stays off stderr; other warnings print as usual.
printProcessWarnings();

/**
 * Reference pipelines: what this stack (Fastify, BullMQ, ioredis, kafkajs) reaches on the
 * bench's machine doing no more than the least an issue's goal requires. They are not
 * gateways: they tell a goal that any implementation can meet from one that the machine
 * cannot give, measured in the same run as the gateway. Child-process modes:
 *
 *   queued-api <redisUrl> <prefix>      POST /v1/chat/completions → one BullMQ add → answers
 *       with what the worker published for the job (one shared pub/sub channel)
 *   queued-worker <redisUrl> <prefix> <upstreamUrl>   a BullMQ worker (concurrency 64) that
 *       sends each job's body to the upstream and publishes the answer
 *   lean-ingest <redisUrl> <prefix> <queue>   POST /jobs with an issue's ingest work done
 *       minimally: API key (SHA-256 → cached principal), the JobRequest zod schema, one
 *       script (request and token counters, job record, tenant index, audit event in the
 *       outbox), then one BullMQ add; answers 202 with the record
 *   lean-worker <redisUrl> <prefix> <queue> <n> <warmup>   reads each job's record and stores
 *       its result with the result and audit events in one script (and publishes it);
 *       tells when `warmup`, then `warmup + n` jobs completed
 *   lean-relay <redisUrl> <prefix> <brokers> <resultsTopic> <auditTopic>   relays the outbox
 *       to Kafka in batches (read, send, acknowledge and delete)
 *
 * Servers send {port} once listening; the rest send 'ready'.
 */

const connection = (url: string) => ({ url, maxRetriesPerRequest: null });

async function listen(app: ReturnType<typeof Fastify>): Promise<void> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  process.send?.({ port: typeof addr === 'object' && addr ? addr.port : 0 });
}

async function queuedApi(url: string, prefix: string): Promise<void> {
  const queue = new Queue('reference-chat', { connection: connection(url), prefix });
  const sub = new Redis(url);
  const pending = new Map<string, (body: string) => void>();
  await sub.subscribe(`${prefix}:answers`);
  sub.on('message', (_c: string, m: string) => {
    const bar = m.indexOf('|');
    const id = m.slice(0, bar);
    pending.get(id)?.(m.slice(bar + 1));
    pending.delete(id);
  });
  let n = 0;
  const app = Fastify({ logger: false });
  app.post('/v1/chat/completions', async (req, reply) => {
    const id = `c${++n}`;
    const answer = new Promise<string>((r) => pending.set(id, r));
    await queue.add('chat', req.body, { jobId: id, removeOnComplete: true });
    return reply.header('content-type', 'application/json').send(await answer);
  });
  await listen(app);
}

async function queuedWorker(url: string, prefix: string, upstream: string): Promise<void> {
  const pub = new Redis(url);
  const agent = new Agent({ connections: 64, keepAliveTimeout: 60_000 });
  const worker = new Worker(
    'reference-chat',
    async (job: Job) => {
      const res = await request(`${upstream}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(job.data),
        dispatcher: agent,
      });
      await pub.publish(`${prefix}:answers`, `${job.id}|${await res.body.text()}`);
      return null;
    },
    { connection: connection(url), prefix, concurrency: 64 },
  );
  await worker.waitUntilReady();
  process.send?.('ready');
}

const ADMIT_AND_CREATE = `
local r = redis.call('INCRBY', KEYS[1], 1)
if r == 1 then redis.call('EXPIRE', KEYS[1], 65) end
if r > tonumber(ARGV[1]) then return 0 end
local t = redis.call('INCRBY', KEYS[2], ARGV[2])
if t == tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[2], 65) end
redis.call('HSET', KEYS[3], 'status', 'queued', 'data', ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[4])
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[6])
redis.call('XADD', KEYS[5], '*', 't', 'audit', 'k', ARGV[7], 'v', ARGV[8])
return 1`;

const STORE_RESULT = `
redis.call('HSET', KEYS[1], 'status', 'succeeded', 'data', ARGV[1])
redis.call('XADD', KEYS[2], '*', 't', 'result', 'k', ARGV[2], 'v', ARGV[3])
redis.call('XADD', KEYS[2], '*', 't', 'audit', 'k', ARGV[4], 'v', ARGV[5])
redis.call('PUBLISH', KEYS[3], ARGV[1])
return 1`;

function cloudEvent(type: string, data: unknown, at: string): string {
  return JSON.stringify({
    specversion: '1.0',
    id: randomUUID(),
    source: '/reference',
    type,
    time: at,
    datacontenttype: 'application/json',
    data,
  });
}

type Principal = { tenantId: string; keyId: string };
type Script = (...args: (string | number)[]) => Promise<unknown>;

/** A script sent by its SHA once loaded (ioredis's EVALSHA with a fallback to EVAL). */
function script(redis: Redis, name: string, keys: number, lua: string): Script {
  redis.defineCommand(name, { numberOfKeys: keys, lua });
  return (redis as unknown as Record<string, Script>)[name].bind(redis);
}

async function leanIngest(url: string, prefix: string, queueName: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection: redis, prefix });
  const principals = new Map<string, Principal>([
    [hashApiKey(LEAN_KEY), { tenantId: 'bench', keyId: 'key_bench' }],
  ]);
  const admit = script(redis, 'admitAndCreate', 5, ADMIT_AND_CREATE);
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
  app.post('/jobs', async (req, reply) => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const who = bearer ? principals.get(hashApiKey(bearer)) : undefined;
    if (!who) return reply.status(401).send({ error: { code: 'unauthorized' } });
    const parsed = JobRequest.safeParse(req.body);
    if (!parsed.success) return reply.status(400).send({ error: { code: 'invalid_request' } });
    const id = `job_${randomBytes(15).toString('base64url')}`;
    const now = new Date();
    const at = now.toISOString();
    const minute = Math.floor(now.getTime() / 60_000);
    const json = JSON.stringify({
      id,
      tenantId: who.tenantId,
      task: parsed.data.task,
      status: 'queued',
      priority: parsed.data.priority ?? 'normal',
      createdAt: at,
      attempts: 0,
      input: parsed.data.input,
    });
    const tag = `${prefix}:{t:${who.tenantId}}`;
    const ok = await admit(
      `${tag}:rpm:${minute}`,
      `${tag}:tpm:${minute}`,
      `${prefix}:job:${id}`,
      `${tag}:jobs`,
      `${prefix}:outbox`,
      100_000_000,
      JSON.stringify(parsed.data.input).length >> 2,
      json,
      1_209_600,
      now.getTime(),
      id,
      who.tenantId,
      cloudEvent('ai.audit.v1', { action: 'job.submitted', tenantId: who.tenantId, jobId: id }, at),
    );
    if (ok !== 1) return reply.status(429).send({ error: { code: 'rate_limited' } });
    await queue.add('job', { jobId: id }, { jobId: id, removeOnComplete: true });
    return reply
      .status(202)
      .header('location', `/v1/jobs/${id}`)
      .header('content-type', 'application/json')
      .send(json);
  });
  await listen(app);
}

async function leanWorker(
  url: string,
  prefix: string,
  queueName: string,
  n: number,
  warmup: number,
): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const storeResult = script(redis, 'storeResult', 3, STORE_RESULT);
  let done = 0;
  const worker = new Worker(
    queueName,
    async (job: Job<{ jobId: string }>) => {
      const id = job.data.jobId;
      const raw = await redis.hget(`${prefix}:job:${id}`, 'data');
      if (!raw) throw new Error(`no record for ${id}`);
      const record = JSON.parse(raw) as { tenantId: string; input: { text: string } };
      const at = new Date().toISOString();
      const stored = {
        ...record,
        status: 'succeeded',
        finishedAt: at,
        output: { summary: record.input.text.split('. ')[0] },
        usage: { inputTokens: record.input.text.length >> 2, outputTokens: 8 },
      };
      const json = JSON.stringify(stored);
      await storeResult(
        `${prefix}:job:${id}`,
        `${prefix}:outbox`,
        `${prefix}:jobev:${id}`,
        json,
        id,
        cloudEvent('ai.results.v1', stored, at),
        record.tenantId,
        cloudEvent('ai.audit.v1', { action: 'job.succeeded', jobId: id }, at),
      );
      return null;
    },
    { connection: connection(url), prefix, concurrency: 32 },
  );
  worker.on('completed', () => {
    done++;
    if (done === warmup) process.send?.({ warm: true });
    if (done === warmup + n) process.send?.({ lastAt: Date.now() });
  });
  await worker.waitUntilReady();
  process.send?.('ready');
}

async function leanRelay(
  url: string,
  prefix: string,
  brokers: string,
  resultsTopic: string,
  auditTopic: string,
): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const kafka = new Kafka({
    clientId: 'bench-reference',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const stream = `${prefix}:outbox`;
  await redis.xgroup('CREATE', stream, 'relay', '0', 'MKSTREAM');
  let closing = false;
  process.on('SIGTERM', () => {
    closing = true;
  });
  process.send?.('ready');
  while (!closing) {
    const got = (await redis.xreadgroup(
      'GROUP',
      'relay',
      'r1',
      'COUNT',
      500,
      'BLOCK',
      500,
      'STREAMS',
      stream,
      '>',
    )) as [string, [string, string[]][]][] | null;
    const entries = got?.[0]?.[1] ?? [];
    if (!entries.length) continue;
    const byType: Record<string, { key: string; value: string }[]> = { result: [], audit: [] };
    for (const [, f] of entries) byType[f[1]].push({ key: f[3], value: f[5] });
    await producer.sendBatch({
      topicMessages: [
        { topic: resultsTopic, messages: byType.result },
        { topic: auditTopic, messages: byType.audit },
      ].filter((t) => t.messages.length),
    });
    const ids = entries.map(([entryId]) => entryId);
    await redis
      .multi()
      .xack(stream, 'relay', ...ids)
      .xdel(stream, ...ids)
      .exec();
  }
  await producer.disconnect();
  process.exit(0);
}

async function main(): Promise<void> {
  // The bench that forked this process is gone: so is the reference.
  process.on('disconnect', () => process.exit(0));
  const [mode, ...a] = process.argv.slice(2);
  if (mode === 'queued-api') return queuedApi(a[0], a[1]);
  if (mode === 'queued-worker') return queuedWorker(a[0], a[1], a[2]);
  if (mode === 'lean-ingest') return leanIngest(a[0], a[1], a[2]);
  if (mode === 'lean-worker') return leanWorker(a[0], a[1], a[2], Number(a[3]), Number(a[4]));
  if (mode === 'lean-relay') return leanRelay(a[0], a[1], a[2], a[3], a[4]);
  throw new Error(`unknown mode ${mode}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
