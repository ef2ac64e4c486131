import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../infra/src';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { KafkaCollector } from '../support/kafka-collector';
import { OtlpReceiver } from '../support/otlp-receiver';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: fast-llm, provider: local, model: fast, class: llm, tasks: [chat, summarize], region: local,
      limits: { maxConcurrency: 4 }, simulate: { latencyMs: 20 } }
  - { id: broken-llm, provider: local, model: broken, class: llm, tasks: [summarize], region: local,
      limits: { maxConcurrency: 2 }, attempts: 1, simulate: { serverErrorRate: 1 } }
routes:
  - { match: { model: fast }, strategy: priority, targets: [fast-llm] }
  - { match: { model: broken }, strategy: priority, targets: [broken-llm] }
tenants:
  - { id: acme }
`;

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

  before(async () => {
    otlp = new OtlpReceiver();
    const endpoint = await otlp.start();
    const metricsPort = await freePort();
    workerMetrics = `http://127.0.0.1:${metricsPort}/metrics`;
    // The harness gives every app one environment: METRICS_PORT goes to the llm worker, which
    // starts first; the dispatcher (started later) finds it taken and runs without /metrics.
    gw = await startGateway({
      config: CONFIG,
      apps: ['ingest-api', 'worker-llm'],
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, METRICS_PORT: String(metricsPort) },
    });
    key = await gw.tenantKey('acme', undefined, true);
    kafka = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.results]).start();
  });
  after(async () => {
    await kafka?.stop();
    await gw?.stop();
    await otlp?.stop();
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
    await gw.start('dispatcher');
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
});
