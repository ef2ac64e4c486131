/**
 * A job routed to each vendor adapter completes through the real ingest API, BullMQ queue and
 * worker processes, against the vendor test servers (which run in this process; the workers
 * reach them over loopback HTTP), with its usage and cost in the record and the Kafka result
 * event. Also: a vendor 400 fails the job without a retry, a 429 pauses the queue
 * without burning an attempt, and a key changed in gateway.yaml reaches the running worker.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ResultEventV1 } from '@gateway/contracts';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { KafkaCollector } from '../support/kafka-collector';
import { CASES, CHAT } from '../support/vendor-fleet-cases';
import {
  ANTHROPIC_KEYS,
  deployment,
  expectedCost,
  FLEET_ENV,
  startFleet,
  type Fleet,
} from '../support/vendor-fleet';
import { FAKE_USAGE } from '../support/vendor-servers/fake-model';

async function submit(gw: Gateway, key: string, body: Record<string, unknown>) {
  const res = await call(`${gw.url}/v1/jobs`, { key, body });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body as { id: string };
}

async function finished(gw: Gateway, key: string, id: string) {
  const res = await call(`${gw.url}/v1/jobs/${id}?wait=30`, { key });
  assert.equal(res.status, 200);
  return res.body;
}

describe('vendor adapters end to end', () => {
  let fleet: Fleet;
  let gw: Gateway;
  let key: string;
  let kafka: KafkaCollector;

  before(async () => {
    fleet = await startFleet();
    gw = await startGateway({ config: fleet.config, env: { ...FLEET_ENV } });
    key = await gw.tenantKey('acme', undefined, true);
    kafka = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.results]).start();
  });
  after(async () => {
    await kafka?.stop();
    await gw?.stop();
    await fleet?.close();
  });

  const resultEvent = (id: string) =>
    kafka.events.find((e) => e.topic === gw.topics.results && e.value.id === id);

  it('runs a job on every vendor adapter with its usage and cost in the record and in Kafka', async () => {
    const ids = await Promise.all(
      CASES.map(async (k) => {
        const alias = deployment(k.deployment).alias;
        const body = { task: k.task, input: k.input, model: alias, correlationId: k.name };
        return (await submit(gw, key, body)).id;
      }),
    );
    const records = await Promise.all(ids.map((id) => finished(gw, key, id)));
    CASES.forEach((k, i) => {
      const r = records[i];
      const dep = deployment(k.deployment);
      assert.equal(r.status, 'succeeded', `${k.name}: ${JSON.stringify(r.error)}`);
      assert.equal(r.route.deployment, dep.id, k.name);
      assert.equal(r.route.provider, dep.provider, k.name);
      assert.deepEqual(r.output, k.output, k.name);
      assert.deepEqual(r.usage, k.usage, k.name);
      const cost = expectedCost(dep.price, k.usage, k.images ?? 0);
      assert.ok(cost > 0, `${k.name}: the test prices make a non-zero cost`);
      assert.equal(r.costUsd, cost, k.name);
      assert.equal(r.attempts, 1, k.name);
    });

    await kafka.waitFor('a result event per job', () => ids.every((id) => resultEvent(id)));
    CASES.forEach((k, i) => {
      const e = resultEvent(ids[i])!;
      assert.ok(ResultEventV1.safeParse(e.value).success, k.name);
      assert.equal(e.value.type, 'ai.job.succeeded.v1', k.name);
      assert.equal(e.key, k.name);
      const data = e.value.data as { usage: unknown; costUsd: number; output: unknown };
      assert.deepEqual(data.usage, k.usage, k.name);
      assert.equal(data.costUsd, records[i].costUsd, k.name);
      assert.deepEqual(data.output, k.output, k.name);
    });

    // Each vendor saw the request on its own path, with the credential from the config.
    for (const k of CASES) {
      const reqs = k.server(fleet).requests.filter((r) => r.path === k.path);
      assert.ok(reqs.length > 0, `${k.name}: the server received ${k.path}`);
      for (const r of reqs) k.credential?.(r.headers);
    }
    assert.deepEqual(fleet.azure.requests[0].query, { 'api-version': '2024-10-21' });
    assert.ok(
      fleet.anthropic.requests.some((r) => r.body?.stream === true),
      'streamed upstream',
    );
    // Three Anthropic calls from one worker: both keys of the provider were used in turn.
    const keysUsed = new Set(fleet.anthropic.requests.map((r) => r.headers['x-api-key']));
    assert.deepEqual([...keysUsed].sort(), [...ANTHROPIC_KEYS]);
  });

  it('fails a job on a vendor 400 with invalid_request, without a retry', async () => {
    const marker = '__status_400__';
    const body = {
      task: 'chat',
      model: deployment('openai-chat').alias,
      input: { messages: [{ role: 'user', content: `Break ${marker} please` }] },
    };
    const { id } = await submit(gw, key, body);
    const r = await finished(gw, key, id);
    assert.equal(r.status, 'failed');
    assert.equal(r.error.code, 'invalid_request');
    assert.equal(r.error.retryable, false);
    assert.equal(r.attempts, 1);
    await kafka.waitFor('the failure event', () => !!resultEvent(id));
    const e = resultEvent(id)!;
    assert.equal(e.value.type, 'ai.job.failed.v1');
    assert.equal((e.value.data as { error: { code: string } }).error.code, 'invalid_request');
    const sent = fleet.openai.requests.filter((q) => q.rawBody.includes(marker));
    assert.equal(sent.length, 1, 'the vendor was called once: a 400 is not retried');
  });

  it('waits out a 429 with its rate-limit reset and succeeds without burning an attempt', async () => {
    const flaky = fleet.openaiFlaky;
    flaky.scriptError(429); // x-ratelimit-reset-requests: 1.574s, then the fake model answers
    const first = flaky.nextRequest();
    const { id } = await submit(gw, key, {
      task: 'chat',
      model: deployment('flaky-chat').alias,
      input: CHAT,
    });
    await first;
    const t0 = Date.now();
    await flaky.nextRequest();
    const waited = Date.now() - t0;
    const r = await finished(gw, key, id);
    assert.equal(r.status, 'succeeded', JSON.stringify(r.error));
    assert.equal(r.attempts, 1, 'the 429 did not count as an attempt');
    assert.deepEqual(r.usage, FAKE_USAGE);
    assert.equal(r.costUsd, expectedCost(deployment('flaky-chat').price, FAKE_USAGE));
    assert.equal(flaky.requests.length, 2);
    assert.ok(waited >= 1000, `the queue paused for the vendor's reset (${waited} ms)`);
  });

  it('takes a provider key edited in gateway.yaml on the running worker, without a restart', async () => {
    const flaky = fleet.openaiFlaky;
    const worker = gw.procs.get('worker-llm')!;
    const pid = worker.pid;
    const job = async () => {
      const { id } = await submit(gw, key, {
        task: 'chat',
        model: deployment('flaky-chat').alias,
        input: CHAT,
      });
      return finished(gw, key, id);
    };
    assert.equal((await job()).status, 'succeeded');
    assert.equal(flaky.requests.at(-1)!.headers.authorization, 'Bearer sk-e2e-flaky');

    const path = join(gw.dataDir, 'gateway.yaml');
    const original = readFileSync(path, 'utf8');
    assert.ok(original.includes('"sk-e2e-flaky"'));
    writeFileSync(path, original.replace('"sk-e2e-flaky"', '"sk-e2e-flaky-rotated"'));
    // The old key is revoked at the vendor: a job that still sent it would fail as auth.
    flaky.rejectKey('sk-e2e-flaky');
    // The worker notices the file within a moment (debounced); a job sent before that may
    // still fail on the old key, so try a bounded number of times.
    let last = await job();
    for (let i = 0; i < 30 && last.status !== 'succeeded'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      last = await job();
    }
    assert.equal(last.status, 'succeeded', JSON.stringify(last.error));
    assert.equal(flaky.requests.at(-1)!.headers.authorization, 'Bearer sk-e2e-flaky-rotated');
    assert.deepEqual(last.usage, FAKE_USAGE);
    assert.equal(worker.pid, pid);
    assert.equal(worker.exitCode, null, 'the same worker process, never restarted');
  });
});
