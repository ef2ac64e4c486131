import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { freePort } from '../../infra/src';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { KafkaCollector } from '../support/kafka-collector';
import { OtlpReceiver } from '../support/otlp-receiver';
import { WebhookReceiver } from '../support/webhook-receiver';

const config = (hooksPort: number) => `
providers:
  - { id: local, type: local }
deployments:
  - { id: fast-llm, provider: local, model: fast, class: llm, tasks: [chat, summarize], region: local,
      limits: { maxConcurrency: 4 }, simulate: { latencyMs: 20 } }
  - { id: broken-llm, provider: local, model: broken, class: llm, tasks: [summarize], region: local,
      limits: { maxConcurrency: 2 }, attempts: 1, simulate: { serverErrorRate: 1 } }
  - { id: slow-llm, provider: local, model: slow, class: llm, tasks: [summarize], region: local,
      limits: { maxConcurrency: 1, maxQueued: 1, adaptive: { enabled: false } },
      simulate: { latencyMs: 1500 } }
routes:
  - { match: { model: fast }, strategy: priority, targets: [fast-llm] }
  - { match: { model: broken }, strategy: priority, targets: [broken-llm] }
  - { match: { model: slow }, strategy: priority, targets: [slow-llm] }
tenants:
  - { id: acme }
webhooks: { allowHosts: ["127.0.0.1:${hooksPort}"], timeoutMs: 2000, schedule: [0.2] }
`;

/** The JSON lines of a process's output (other lines skipped). */
function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** Value of one sample line of the exposition, matched by name and label subset. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function waitUntil(what: string, pred: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('observability end to end: metrics, traces, admin operations', () => {
  let gw: Gateway;
  let key: string;
  let kafka: KafkaCollector;
  let otlp: OtlpReceiver;
  let workerMetrics: string;
  let dispatcherMetrics: string;
  let dispatcherPort: number;
  let hooks: WebhookReceiver;

  before(async () => {
    otlp = new OtlpReceiver();
    const endpoint = await otlp.start();
    hooks = await new WebhookReceiver().start();
    const metricsPort = await freePort();
    workerMetrics = `http://127.0.0.1:${metricsPort}/metrics`;
    dispatcherPort = await freePort();
    dispatcherMetrics = `http://127.0.0.1:${dispatcherPort}/metrics`;
    // METRICS_PORT goes to the llm worker; the dispatcher gets its own when it starts.
    // One process of each app even in the scale-out mode: the tests read one process's own
    // metrics registry and log lines (a second worker could not bind METRICS_PORT either).
    gw = await startGateway({
      scale: 1,
      config: config(hooks.port),
      apps: ['ingest-api', 'worker-llm'],
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        METRICS_PORT: String(metricsPort),
        // Request and job lines are info; an operator's own PII header is redacted.
        LOG_LEVEL: 'info',
        LOG_REDACT: 'req.headers["x-user-email"]',
      },
    });
    key = await gw.tenantKey('acme', undefined, true);
    kafka = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.results]).start();
  });
  after(async () => {
    await kafka?.stop();
    await gw?.stop();
    await otlp?.stop();
    await hooks?.stop();
  });

  it('counts submissions, outcomes, latency and queue depth with bounded labels', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(`${gw.url}/v1/jobs`, {
        key,
        body: { task: 'summarize', model: 'fast', input: { text: `Metrics move. Run ${i}.` } },
      });
      assert.equal(r.status, 202);
      ids.push(r.body.id);
    }
    const bad = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { task: 'summarize', model: 'broken', input: { text: 'This one fails.' } },
    });
    assert.equal(bad.status, 202);
    for (const id of [...ids, bad.body.id]) {
      const r = await call(`${gw.url}/v1/jobs/${id}?wait=20`, { key });
      assert.ok(['succeeded', 'failed'].includes(r.body.status), JSON.stringify(r.body));
    }

    const ingest = await call<string>(`${gw.url}/metrics`);
    assert.equal(ingest.status, 200);
    assert.match(ingest.headers.get('content-type') ?? '', /text\/plain/);
    const submitted = { task: 'summarize', deployment: 'fast-llm', tenant: 'acme' };
    assert.equal(sample(ingest.body, 'gateway_jobs_submitted_total', submitted), 3);
    assert.ok(
      (sample(ingest.body, 'gateway_http_request_duration_seconds_count', {
        route: '/v1/jobs',
        method: 'POST',
        status: '202',
      }) ?? 0) >= 4,
    );
    assert.equal(
      sample(ingest.body, 'gateway_queue_jobs', { deployment: 'fast-llm', state: 'waiting' }),
      0,
    );
    // Route templates, never raw ids, in the route label.
    assert.doesNotMatch(ingest.body, /route="\/v1\/jobs\/job_/);

    let text = '';
    await waitUntil('worker counters', async () => {
      text = (await call<string>(workerMetrics)).body;
      return (
        sample(text, 'gateway_jobs_finished_total', { ...submitted, status: 'succeeded' }) === 3 &&
        sample(text, 'gateway_jobs_finished_total', {
          deployment: 'broken-llm',
          status: 'failed',
        }) === 1
      );
    });
    assert.equal(
      sample(text, 'gateway_job_duration_seconds_count', {
        deployment: 'fast-llm',
        task: 'summarize',
      }),
      3,
    );
    assert.ok(
      (sample(text, 'gateway_tokens_total', {
        tenant: 'acme',
        deployment: 'fast-llm',
        direction: 'input',
      }) ?? 0) > 0,
    );
    assert.equal(sample(text, 'gateway_concurrency_limit', { deployment: 'fast-llm' }), 4);
    assert.equal(sample(text, 'gateway_inflight_jobs', { deployment: 'fast-llm' }), 0);
    assert.ok(
      (sample(text, 'gateway_provider_request_duration_seconds_count', {
        deployment: 'fast-llm',
        outcome: 'ok',
      }) ?? 0) >= 3,
    );
    assert.doesNotMatch(text, /job_[a-z0-9]{10,}/, 'no job id in any label');
  });

  it('reports readiness through terminus, naming each dependency', async () => {
    const ready = await call(`${gw.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body.checks, { redis: true, kafka: true });
    assert.equal(ready.body.details.redis.status, 'up');
    assert.equal((await call(`${gw.url}/healthz`)).body.status, 'ok');
  });

  it('carries one trace id from the HTTP submission through the worker to the Kafka result', async () => {
    await gw.start('dispatcher', 'dispatcher', { METRICS_PORT: String(dispatcherPort) });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const r = await call(`${gw.url}/v1/jobs`, {
      key,
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: { task: 'summarize', model: 'fast', input: { text: 'Trace me through the gateway.' } },
    });
    assert.equal(r.status, 202);
    const jobId = r.body.id as string;
    await kafka.waitFor('the traced result', (evs) => evs.some((e) => e.value.id === jobId));
    const result = kafka.events.find((e) => e.value.id === jobId)!;
    assert.match(result.headers.traceparent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    assert.equal(result.value.traceparent, result.headers.traceparent);

    await waitUntil('exported spans', async () =>
      ['ai-gateway-ingest-api', 'ai-gateway-worker-llm'].every((svc) =>
        otlp.spans.some((s) => s.traceId === traceId && s.service === svc),
      ),
    );
    const mine = otlp.spans.filter((s) => s.traceId === traceId);
    const server = mine.find((s) => s.service === 'ai-gateway-ingest-api')!;
    const work = mine.find((s) => s.name === 'job.process')!;
    const provider = mine.find((s) => s.name === 'provider.call')!;
    assert.equal(server.parentSpanId, '00f067aa0ba902b7');
    assert.equal(work.parentSpanId, server.spanId, 'the worker span continues the HTTP span');
    assert.equal(provider.parentSpanId, work.spanId, 'the provider call is a child of the worker');
    assert.equal(result.headers.traceparent.split('-')[2], work.spanId);
  });

  it("gives a failed job's Kafka result the traceparent header a succeeded one gets", async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const r = await call(`${gw.url}/v1/jobs`, {
      key,
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      body: { task: 'summarize', model: 'broken', input: { text: 'This one fails, traced.' } },
    });
    assert.equal(r.status, 202);
    const jobId = r.body.id as string;
    await kafka.waitFor('the failed result', (evs) => evs.some((e) => e.value.id === jobId));
    const failed = kafka.events.find((e) => e.value.id === jobId)!;
    assert.equal(failed.value.type, 'ai.job.failed.v1');
    assert.match(failed.headers.traceparent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    assert.equal(failed.value.traceparent, failed.headers.traceparent);
  });

  it('logs a request and its job with their ids through one logger, redacting secrets and PII', async () => {
    const traceId = 'a3ce929d0e0e47364bf92f3577b34da6';
    const text = 'Quiet zebras graze beside the logging pipeline.';
    const r = await call(`${gw.url}/v1/jobs`, {
      key,
      headers: {
        'x-request-id': 'req-logs-1',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
        'x-user-email': 'alice@example.com',
      },
      body: { task: 'summarize', model: 'fast', input: { text }, metadata: { email: 'bob@x.io' } },
    });
    assert.equal(r.status, 202);
    const jobId = r.body.id as string;
    assert.equal(
      (await call(`${gw.url}/v1/jobs/${jobId}?wait=20`, { key })).body.status,
      'succeeded',
    );

    let requestLines: Record<string, unknown>[] = [];
    let jobLines: Record<string, unknown>[] = [];
    await waitUntil('the request and job log lines', async () => {
      requestLines = jsonLines(gw.output('ingest-api')).filter((l) => l.requestId === 'req-logs-1');
      jobLines = jsonLines(gw.output('worker-llm')).filter((l) => l.jobId === jobId);
      return (
        requestLines.some((l) => l.msg === 'request completed') &&
        jobLines.some((l) => l.msg === 'job succeeded')
      );
    });
    for (const line of requestLines) {
      assert.equal(line.traceId, traceId, JSON.stringify(line));
      assert.equal(line.tenantId, 'acme');
      assert.equal(line.jobId, jobId);
      assert.equal(line.deployment, 'fast-llm');
      assert.equal(line.app, 'ingest-api');
    }
    const completed = requestLines.find((l) => l.msg === 'request completed')!;
    const req = completed.req as { headers: Record<string, string> };
    assert.equal(req.headers.authorization, '[redacted]');
    assert.equal(req.headers['x-user-email'], '[redacted]');
    assert.equal((completed.res as { statusCode: number }).statusCode, 202);
    for (const line of jobLines) {
      assert.equal(line.tenantId, 'acme', JSON.stringify(line));
      assert.equal(line.deployment, 'fast-llm');
      assert.equal(line.traceId, traceId);
    }
    const all = gw.output();
    for (const secret of [key, gw.adminKey, 'alice@example.com', 'bob@x.io', text])
      assert.ok(!all.includes(secret), `the logs hold ${secret.slice(0, 12)}...`);
  });

  it('counts cancelled jobs and admission refusals (queue full, rate limits) with bounded labels', async () => {
    // slow-llm runs one job at a time and holds at most one waiting: a burst overflows it.
    const statuses: number[] = [];
    const accepted: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await call(`${gw.url}/v1/jobs`, {
        key,
        body: { task: 'summarize', model: 'slow', input: { text: `Burst ${i}. Slowly.` } },
      });
      statuses.push(r.status);
      if (r.status === 202) accepted.push(r.body.id as string);
    }
    assert.ok(
      statuses.some((s) => s === 503 || s === 429),
      `statuses ${statuses.join(',')}`,
    );
    const queueFull = statuses.filter((s) => s === 503).length;
    const tenantShare = statuses.filter((s) => s === 429).length;
    // The last accepted job is still waiting or running: cancelling it ends it as cancelled.
    const cancelled = await call(`${gw.url}/v1/jobs/${accepted.at(-1)}`, {
      key,
      method: 'DELETE',
    });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'cancelled');
    // A key allowed one request a minute: its second request is refused at the door.
    const limitedKey = await gw.tenantKey('limited', undefined, false, { rpm: 1 });
    assert.equal((await call(`${gw.url}/v1/jobs`, { key: limitedKey })).status, 200);
    assert.equal((await call(`${gw.url}/v1/jobs`, { key: limitedKey })).status, 429);

    const text = (await call<string>(`${gw.url}/metrics`)).body;
    const rejected = (code: string, reason: string) =>
      sample(text, 'gateway_admission_rejected_total', { code, reason }) ?? 0;
    assert.equal(rejected('queue_full', 'deployment_queue'), queueFull);
    assert.equal(rejected('rate_limited', 'tenant_queue'), tenantShare);
    assert.ok(rejected('rate_limited', 'rate_limit') >= 1);
    assert.equal(
      sample(text, 'gateway_jobs_finished_total', {
        deployment: 'slow-llm',
        tenant: 'acme',
        status: 'cancelled',
      }),
      1,
    );
    assert.equal(
      sample(text, 'gateway_job_duration_seconds_count', {
        deployment: 'slow-llm',
        status: 'cancelled',
      }),
      1,
    );
  });

  it("gives a cancelled job's Kafka result the cancelling request's trace", async () => {
    // slow-llm is still busy with the burst above: submit once it has room again.
    const submit = () =>
      call(`${gw.url}/v1/jobs`, {
        key,
        body: { task: 'summarize', model: 'slow', input: { text: 'Cancel me, traced.' } },
      });
    let r = await submit();
    for (let i = 0; i < 50 && r.status !== 202; i++) {
      await new Promise((done) => setTimeout(done, 200));
      r = await submit();
    }
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const jobId = r.body.id as string;
    const traceId = '5b8efff798038103d269b633813fc60c';
    const del = await call(`${gw.url}/v1/jobs/${jobId}`, {
      key,
      method: 'DELETE',
      headers: { traceparent: `00-${traceId}-eee19b7ec3c1b174-01` },
    });
    assert.equal(del.body.status, 'cancelled');
    await kafka.waitFor('the cancelled result', (evs) => evs.some((e) => e.value.id === jobId));
    const cancelled = kafka.events.find((e) => e.value.id === jobId)!;
    assert.equal(cancelled.value.type, 'ai.job.cancelled.v1');
    assert.match(
      cancelled.headers.traceparent ?? '',
      new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`),
    );
  });

  it('reports the webhook backlog by state and the Kafka ingress lag per partition', async () => {
    // A webhook whose receiver keeps failing: after its one retry it is dead.
    const r = await call(`${gw.url}/v1/jobs`, {
      key,
      body: {
        task: 'summarize',
        model: 'fast',
        input: { text: 'Nobody hears this webhook.' },
        webhook: { url: hooks.url('/down') },
      },
    });
    assert.equal(r.status, 202);
    await waitUntil('a dead delivery in the backlog gauge', async () => {
      const text = (await call<string>(`${gw.url}/metrics`)).body;
      return sample(text, 'gateway_webhook_backlog', { state: 'dead' }) === 1;
    });
    const ingest = (await call<string>(`${gw.url}/metrics`)).body;
    for (const state of ['waiting', 'active', 'delayed'])
      assert.equal(sample(ingest, 'gateway_webhook_backlog', { state }), 0, state);

    // Kafka requests of a key allowed one request a minute: the third (at the latest) is
    // refused for now, its partition pauses, and what is behind it lags.
    const lagKey = await gw.tenantKey('lagged', undefined, false, { rpm: 1 });
    const producer: Producer = new Kafka({
      clientId: 'lag-test',
      brokers: gw.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    try {
      await producer.send({
        topic: gw.topics.requests,
        messages: [0, 1, 2, 3].map((i) => ({
          key: 'lag-partition',
          value: JSON.stringify({ task: 'summarize', input: { text: `Kafka lag ${i}.` } }),
          headers: { authorization: `Bearer ${lagKey}`, ce_id: `lag-${i}` },
        })),
      });
    } finally {
      await producer.disconnect();
    }
    let text = '';
    await waitUntil('ingress lag on the paused partition', async () => {
      text = (await call<string>(dispatcherMetrics)).body;
      return text
        .split('\n')
        .some((l) => l.startsWith('gateway_kafka_ingress_lag_messages{') && !l.endsWith(' 0'));
    });
    const partitions = text
      .split('\n')
      .filter((l) => l.startsWith('gateway_kafka_ingress_lag_messages{'));
    assert.equal(partitions.length, 3, 'one series per partition of the request topic');
    assert.ok(
      (sample(text, 'gateway_admission_rejected_total', {
        code: 'rate_limited',
        reason: 'rate_limit',
      }) ?? 0) >= 1,
    );
    assert.ok((sample(text, 'gateway_outbox_relayed_total', {}) ?? 0) > 0);
  });
});
