import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { RedisMonitor } from '../support/redis-monitor';
import { readSse, type SseEvent } from '../support/sse';
import { until } from '../support/webhook-receiver';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: slow-llm, provider: local, model: slow, class: llm, tasks: [chat, summarize],
      limits: { maxConcurrency: 4 }, simulate: { latencyMs: 2500 } }
routes:
  - { match: { model: slow }, strategy: priority, targets: [slow-llm] }
tenants:
  - { id: acme }
  - { id: globex }
`;

const deltas = (evs: SseEvent[]) => evs.filter((e) => e.event === 'delta');

describe('job events over SSE', () => {
  let gw: Gateway;
  let key: string;
  let otherKey: string;

  before(async () => {
    gw = await startGateway({ config: CONFIG, apps: ['ingest-api', 'worker-llm', 'dispatcher'] });
    key = await gw.tenantKey('acme', undefined, true);
    otherKey = await gw.tenantKey('globex', undefined, true);
  });
  after(async () => gw?.stop());

  const streamedChat = {
    task: 'chat',
    model: 'slow',
    input: {
      stream: true,
      messages: [
        { role: 'user', content: 'Please tell me a few words about queues and streams today' },
      ],
    },
  };

  it('sends status changes, deltas as they arrive, and a final done with the record', async () => {
    const job = await call(`${gw.url}/v1/jobs`, { key, body: streamedChat });
    assert.equal(job.status, 202);
    const r = await readSse(`${gw.url}/v1/jobs/${job.body.id}/events`, key, (evs) =>
      evs.some((e) => e.event === 'done'),
    );
    assert.equal(r.status, 200);
    assert.match(r.contentType ?? '', /^text\/event-stream/);
    const statuses = r.events.filter((e) => e.event === 'status').map((e) => e.data.status);
    assert.deepEqual(statuses, ['queued', 'running', 'succeeded']);
    const done = r.events.find((e) => e.event === 'done')!;
    assert.equal(done.data.id, job.body.id);
    assert.equal(done.data.status, 'succeeded');
    const text = deltas(r.events)
      .map((e) => e.data.text)
      .join('');
    assert.ok(deltas(r.events).length > 3, 'several deltas');
    assert.equal(text, done.data.output.message.content);
    // Deltas came before the job ended, not all at once at the end.
    const firstDelta = r.events.findIndex((e) => e.event === 'delta');
    const succeeded = r.events.findIndex((e) => e.data?.status === 'succeeded');
    assert.ok(firstDelta < succeeded);
  });

  it('resumes after Last-Event-ID with only the deltas not yet seen', async () => {
    const job = await call(`${gw.url}/v1/jobs`, { key, body: streamedChat });
    const url = `${gw.url}/v1/jobs/${job.body.id}/events`;
    const first = await readSse(url, key, (evs) => deltas(evs).length >= 3);
    const seen = deltas(first.events);
    assert.ok(seen.length >= 3);
    const lastId = seen[seen.length - 1].id!;
    const second = await readSse(url, key, (evs) => evs.some((e) => e.event === 'done'), {
      'last-event-id': lastId,
    });
    const done = second.events.find((e) => e.event === 'done')!;
    const rest = deltas(second.events);
    const ids = [...seen, ...rest].map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, 'no delta twice');
    const text = [...seen, ...rest].map((e) => e.data.text).join('');
    assert.equal(text, done.data.output.message.content);
  });

  it('wakes streams on each delta through one shared subscription, reading Redis per event, not per tick', async () => {
    const STREAMS = 5;
    // Three word deltas spread over the 2.5 s latency: long quiet gaps a poller would fill.
    const body = {
      task: 'chat',
      model: 'slow',
      input: { stream: true, messages: [{ role: 'user', content: 'What is 2+2?' }] },
    };
    const sub = gw.redis();
    // On a Cluster each master sees only its own commands and its own subscribers: watch all.
    const urls = gw.redisClusterNodes?.map((n) => `redis://${n}`) ?? [gw.redisUrl];
    const nodes = urls.map((url) => new Redis(url));
    const monitors: RedisMonitor[] = [];
    try {
      for (const url of urls) monitors.push(await RedisMonitor.start(url));
      const commands = {
        find: (p: (c: string[]) => boolean) => monitors.flatMap((m) => m.commands).find(p),
        filter: (p: (c: string[]) => boolean) => monitors.flatMap((m) => m.commands).filter(p),
      };
      const job = await call(`${gw.url}/v1/jobs`, { key, body });
      assert.equal(job.status, 202);
      const id = job.body.id as string;
      const streams = Array.from({ length: STREAMS }, () =>
        readSse(`${gw.url}/v1/jobs/${id}/events`, key, (evs) =>
          evs.some((e) => e.event === 'done'),
        ),
      );
      // One subscription to the job's delta channel serves every stream of a process; the
      // streams are spread over every ingest process when the gateway is scaled out.
      const channel = `${gw.prefix}:jobdelta:${id}`;
      const subscribers = async () => {
        const counts = await Promise.all(nodes.map((n) => n.pubsub('NUMSUB', channel)));
        return counts.reduce((sum, c) => sum + Number(c[1]), 0);
      };
      const processes = Math.min(STREAMS, gw.scale);
      await until('the delta subscriptions', async () => (await subscribers()) >= processes);
      assert.equal(await subscribers(), processes);
      const results = await Promise.all(streams);
      const deltaKey = commands.find((c) => c[0] === 'xadd' && c[1].endsWith(`:deltas:${id}`))![1];
      const entries = await sub.xlen(deltaKey);
      for (const r of results) {
        const done = r.events.find((e) => e.event === 'done')!;
        assert.equal(
          deltas(r.events)
            .map((e) => e.data.text)
            .join(''),
          done.data.output.message.content,
        );
      }
      // Per stream: the first read, one per delta entry, the status changes and the end.
      const xreads = commands.filter((c) => c[0] === 'xread' && c.includes(deltaKey)).length;
      assert.ok(
        xreads <= STREAMS * (entries + 4),
        `${xreads} XREADs for ${STREAMS} streams of ${entries} entries (a 50 ms poll makes ~250)`,
      );
      const lags = results.flatMap((r) =>
        deltas(r.events).map((e) => e.at! - Number(e.id!.split('-')[0])),
      );
      lags.sort((a, b) => a - b);
      console.log(
        `[sse] ${xreads} XREADs for ${STREAMS} streams × ${entries} entries; delta lag p50 ${lags[lags.length >> 1]} ms, max ${lags.at(-1)} ms`,
      );
    } finally {
      for (const monitor of monitors) monitor.stop();
      for (const client of [...nodes, sub]) client.disconnect();
    }
  });

  it('sends heartbeats while a job waits, and answers 404 to another tenant', async () => {
    const job = await call(`${gw.url}/v1/jobs`, {
      key,
      body: {
        task: 'summarize',
        model: 'slow',
        input: { text: 'Heartbeats keep proxies open. Streams end.' },
      },
    });
    const r = await readSse(`${gw.url}/v1/jobs/${job.body.id}/events?heartbeat=1`, key, (evs) =>
      evs.some((e) => e.event === 'done'),
    );
    assert.ok(r.events.filter((e) => e.comment).length >= 1, 'a heartbeat comment');
    assert.equal(r.events.at(-1)!.event, 'done');
    assert.equal(deltas(r.events).length, 0);
    const other = await readSse(`${gw.url}/v1/jobs/${job.body.id}/events`, otherKey, () => true);
    assert.equal(other.status, 404);
    const missing = await call(`${gw.url}/v1/jobs/job_nope/events`, { key });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
  });
});
