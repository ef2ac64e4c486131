import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { KafkaCollector } from '../support/kafka-collector';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: broken, provider: local, model: broken, class: llm, tasks: [summarize, classify], attempts: 2,
      simulate: { overloadedRate: 1 } }
  - { id: backup, provider: local, model: backup, class: llm, tasks: [summarize, classify] }
  - { id: cached-dep, provider: local, model: cached, class: llm, tasks: [classify], simulate: { latencyMs: 30 } }
  - { id: vision-a, provider: local, model: va, class: vision, tasks: [image.classify] }
  - { id: vision-b, provider: local, model: vb, class: vision, tasks: [image.classify] }
routes:
  - { match: { model: lenient }, strategy: priority, targets: [vision-a, vision-b], fallbackOnNonRetryable: true }
  - { match: { model: strict }, strategy: priority, targets: [vision-a, vision-b] }
  - { match: { model: resilient }, strategy: priority, targets: [broken, backup] }
  - { match: { model: cachey }, strategy: priority, targets: [cached-dep], cache: { ttlSeconds: 300 } }
tenants:
  - { id: acme }
  - { id: globex }
jobs: { backoffMs: 50 }
`;

describe('routing at run time', () => {
  let gw: Gateway;
  let key: string;
  let kafka: KafkaCollector;

  before(async () => {
    gw = await startGateway({
      config: CONFIG,
      apps: ['ingest-api', 'worker-llm', 'worker-vision', 'dispatcher'],
    });
    key = await gw.tenantKey('acme', undefined, true);
    kafka = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.audit]).start();
  });
  after(async () => {
    await kafka?.stop();
    await gw?.stop();
  });

  it('falls back to the next deployment when the first keeps answering 503, recording both hops', async () => {
    const sub = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { task: 'summarize', model: 'resilient', input: { text: 'One. Two. Three.' } },
    });
    assert.equal(sub.status, 202);
    assert.deepEqual(sub.body.route.candidates.slice(0, 2), ['broken', 'backup']);
    // The first job after boot: the workers may still be starting (slowly when every app runs
    // twice on a busy machine), so the long poll is repeated, within a minute.
    let done = await call(`${gw.url}/v1/jobs/${sub.body.id}?wait=20`, { key });
    for (let i = 0; i < 2 && ['queued', 'running'].includes(done.body.status); i++)
      done = await call(`${gw.url}/v1/jobs/${sub.body.id}?wait=20`, { key });
    assert.equal(done.body.status, 'succeeded', JSON.stringify(done.body.error));
    assert.equal(done.body.route.deployment, 'backup');
    assert.equal(done.body.route.fallbacks.length, 1);
    assert.equal(done.body.route.fallbacks[0].from, 'broken');
    assert.equal(done.body.route.fallbacks[0].to, 'backup');
    assert.equal(done.body.route.fallbacks[0].error.code, 'overloaded');
    await kafka.waitFor('the fallback in the audit trail', (ev) =>
      ev.some((e) => {
        const d = e.value.data as {
          jobId?: string;
          action?: string;
          details?: Record<string, unknown>;
        };
        return (
          d.jobId === sub.body.id && d.action === 'job.fallback' && d.details?.from === 'broken'
        );
      }),
    );
  });

  it('falls back after a non-retryable error only when the route says so', async () => {
    // The local provider refuses image URLs with invalid_request (not retryable).
    const input = { image: { url: 'https://example.com/cat.png' } };
    const run = async (model: string) => {
      const sub = await call(`${gw.url}/v1/jobs`, {
        key,
        body: { task: 'image.classify', model, input },
      });
      return (await call(`${gw.url}/v1/jobs/${sub.body.id}?wait=20`, { key })).body;
    };
    const strict = await run('strict');
    assert.equal(strict.status, 'failed');
    assert.equal(strict.error.code, 'invalid_request');
    assert.equal(strict.route.fallbacks.length, 0);
    const lenient = await run('lenient');
    assert.equal(lenient.status, 'failed');
    assert.equal(lenient.route.fallbacks.length, 1);
    assert.equal(lenient.route.fallbacks[0].to, 'vision-b');
  });

  it('answers a repeated request from the cache at cost 0 without reaching a provider', async () => {
    const body = {
      task: 'classify',
      model: 'cachey',
      input: { text: 'wonderful and great', labels: ['good', 'bad'] },
    };
    const first = await call(`${gw.url}/v1/jobs`, { key, body });
    const firstDone = await call(`${gw.url}/v1/jobs/${first.body.id}?wait=20`, { key });
    assert.equal(firstDone.body.status, 'succeeded');
    assert.equal(firstDone.body.cached, false);
    // The worker stores the result after it stores the job: give it a moment.
    let second = await call(`${gw.url}/v1/jobs`, { key, body });
    for (let i = 0; i < 20 && second.body.cached !== true; i++) {
      await new Promise((r) => setTimeout(r, 100));
      second = await call(`${gw.url}/v1/jobs`, { key, body });
    }
    assert.equal(second.body.status, 'succeeded');
    assert.equal(second.body.cached, true);
    assert.equal(second.body.costUsd, 0);
    assert.equal(second.body.attempts, 0, 'no worker attempt: the provider was never called');
    assert.deepEqual(second.body.output, firstDone.body.output);
    // Never shared across tenants.
    const otherKey = await gw.tenantKey('globex', undefined, true);
    const other = await call(`${gw.url}/v1/jobs`, { key: otherKey, body });
    assert.equal(other.body.cached, false);
  });

  it('takes a hot-reloaded route for new jobs, and keeps the old config when the new file is invalid', async () => {
    const body = {
      task: 'classify',
      model: 'fresh',
      input: { text: 'fine', labels: ['good', 'bad'] },
    };
    assert.equal((await call(`${gw.url}/v1/jobs`, { key, body })).status, 400);
    const path = join(gw.dataDir, 'gateway.yaml');
    const original = readFileSync(path, 'utf8');
    writeFileSync(
      path,
      original.replace(
        'routes:\n',
        'routes:\n  - { match: { model: fresh }, strategy: priority, targets: [backup] }\n',
      ),
    );
    let res = await call(`${gw.url}/v1/jobs`, { key, body });
    for (let i = 0; i < 50 && res.status !== 202; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await call(`${gw.url}/v1/jobs`, { key, body });
    }
    assert.equal(res.status, 202);
    assert.equal(res.body.route.deployment, 'backup');
    assert.equal(
      (await call(`${gw.url}/v1/jobs/${res.body.id}?wait=20`, { key })).body.status,
      'succeeded',
    );

    writeFileSync(path, 'routes: [ { match: { model: x }, targets: [no-such-deployment] } ]\n');
    await new Promise((r) => setTimeout(r, 800));
    const still = await call(`${gw.url}/v1/jobs`, { key, body });
    assert.equal(still.status, 202, 'the invalid file was refused and the previous routes kept');
  });
});
