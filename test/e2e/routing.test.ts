import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
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
  - { id: tripped, provider: local, model: tripped, class: llm, tasks: [summarize], attempts: 1,
      breaker: { failureThreshold: 1, openMs: 600000 }, simulate: { overloadedRate: 1 } }
  - { id: narrow, provider: local, model: narrow, class: llm, tasks: [classify],
      limits: { maxConcurrency: 1 }, simulate: { latencyMs: 1500 } }
  - { id: cheap-llm, provider: local, model: cheap, class: llm, tasks: [summarize] }
  - { id: strong-llm, provider: local, model: strong, class: llm, tasks: [summarize] }
routes:
  - { match: { model: guarded }, strategy: priority, targets: [tripped, backup] }
  - { match: { model: tiered }, strategy: cascade, targets: [cheap-llm, strong-llm] }
  - { match: { model: lenient }, strategy: priority, targets: [vision-a, vision-b], fallbackOnNonRetryable: true }
  - { match: { model: strict }, strategy: priority, targets: [vision-a, vision-b] }
  - { match: { model: resilient }, strategy: priority, targets: [broken, backup] }
  - { match: { model: cachey }, strategy: priority, targets: [cached-dep], cache: { ttlSeconds: 300 } }
tenants:
  - { id: acme }
  - { id: globex }
jobs: { backoffMs: 50 }
routing:
  cascade:
    threshold: 0.3
    weights: { length: 0, code: 0, reasoning: 0, steps: 0, constraints: 1, output: 0, schema: 0 }
`;

type AuditData = {
  jobId?: string;
  action?: string;
  reason?: string;
  details?: Record<string, unknown>;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('routing at run time', () => {
  let gw: Gateway;
  let key: string;
  let kafka: KafkaCollector;
  let producer: Producer;

  before(async () => {
    gw = await startGateway({
      config: CONFIG,
      apps: ['ingest-api', 'worker-llm', 'worker-vision', 'dispatcher'],
    });
    key = await gw.tenantKey('acme', undefined, true);
    kafka = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.audit]).start();
    producer = new Kafka({
      clientId: 'routing-test',
      brokers: gw.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
  });
  after(async () => {
    await producer?.disconnect();
    await kafka?.stop();
    await gw?.stop();
  });

  /** Submits a job through Kafka ingress and finds it by its correlation id (≤ 15 s). */
  const viaKafka = async (correlationId: string, body: Record<string, unknown>) => {
    await producer.send({
      topic: gw.topics.requests,
      messages: [
        {
          key: correlationId,
          value: JSON.stringify({ ...body, correlationId }),
          headers: { authorization: `Bearer ${key}`, 'idempotency-key': correlationId },
        },
      ],
    });
    for (let i = 0; i < 150; i++) {
      const list = await call(`${gw.url}/v1/jobs?limit=100`, { key });
      const found = (list.body.data as { correlationId: string | null }[]).find(
        (j) => j.correlationId === correlationId,
      );
      if (found) return found as Record<string, any>;
      await sleep(100);
    }
    assert.fail(`no job for the Kafka request ${correlationId}`);
  };

  it('falls back to the next deployment when the first keeps answering 503, recording both hops', async () => {
    const sub = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { task: 'summarize', model: 'resilient', input: { text: 'One. Two. Three.' } },
    });
    assert.equal(sub.status, 202);
    assert.deepEqual(sub.body.route.candidates.slice(0, 2), ['broken', 'backup']);
    assert.match(
      sub.body.route.reason,
      /^priority of 2: broken > backup;.*via routes\[\d+\] \(model resilient\)/,
    );
    // The first job also waits for worker-llm to start, which a busy machine slows down.
    const done = await call(`${gw.url}/v1/jobs/${sub.body.id}?wait=60`, { key });
    assert.equal(done.body.status, 'succeeded', JSON.stringify(done.body.error));
    assert.equal(done.body.route.deployment, 'backup');
    assert.equal(done.body.route.fallbacks.length, 1);
    assert.equal(done.body.route.fallbacks[0].from, 'broken');
    assert.equal(done.body.route.fallbacks[0].to, 'backup');
    assert.equal(done.body.route.fallbacks[0].error.code, 'overloaded');
    await kafka.waitFor('the decision and the fallback in the audit trail', (ev) => {
      const mine = ev.map((e) => e.value.data as AuditData).filter((d) => d.jobId === sub.body.id);
      return (
        mine.some((d) => d.action === 'job.accepted' && d.reason === sub.body.route.reason) &&
        mine.some((d) => d.action === 'job.fallback' && d.details?.from === 'broken')
      );
    });
  });

  it('honours routing.deadline: refused when past or out of reach, never called once passed', async () => {
    const input = { text: 'a fine day', labels: ['good', 'bad'] };
    const submit = (deadlineInMs?: number) =>
      call(`${gw.url}/v1/jobs`, {
        key,
        body: {
          task: 'classify',
          model: 'narrow',
          input,
          ...(deadlineInMs !== undefined
            ? { routing: { deadline: new Date(Date.now() + deadlineInMs).toISOString() } }
            : {}),
        },
      });
    const past = await submit(-1000);
    assert.equal(past.status, 422);
    assert.equal(past.body.error.code, 'policy_violation');
    assert.match(past.body.error.message, /routing\.deadline passed/);

    // `narrow` runs one call at a time for 1.5 s: a job queued behind one cannot start in time.
    const first = await submit();
    assert.equal(first.status, 202);
    for (let i = 0; i < 200; i++) {
      const r = await call(`${gw.url}/v1/jobs/${first.body.id}`, { key });
      if (r.body.status !== 'queued') break;
      await sleep(50);
    }
    const late = await submit(300);
    assert.equal(late.status, 202, JSON.stringify(late.body));
    const lateDone = (await call(`${gw.url}/v1/jobs/${late.body.id}?wait=30`, { key })).body;
    assert.equal(lateDone.status, 'failed');
    assert.equal(lateDone.error.code, 'timeout');
    assert.match(lateDone.error.message, /routing\.deadline .* passed before the call started/);
    assert.equal(lateDone.usage, null, 'no provider call was made');
    const firstDone = (await call(`${gw.url}/v1/jobs/${first.body.id}?wait=30`, { key })).body;
    assert.equal(firstDone.status, 'succeeded');

    // Once live stats know `narrow` takes ~1.5 s, a deadline 0.7 s away is out of its reach.
    let refused;
    for (let i = 0; i < 40 && !refused; i++) {
      const r = await submit(700);
      if (r.status === 422) refused = r.body;
      else await sleep(250);
    }
    assert.ok(refused, 'refused once the latency is known');
    assert.equal(refused.error.code, 'policy_violation');
    assert.match(refused.error.message, /expected \d+ ms > \d+ ms left before routing\.deadline/);
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
    await kafka.waitFor('the cache hit in the audit trail', (ev) =>
      ev.some((e) => {
        const d = e.value.data as AuditData;
        return (
          d.jobId === second.body.id &&
          d.action === 'job.succeeded' &&
          d.details?.cached === true &&
          d.details?.costUsd === 0
        );
      }),
    );
    // Counted by the ingest process that answered the hit: when scaled, the balancer takes
    // turns, so one scrape per process reads them all.
    let hits = 0;
    for (let i = 0; i < gw.scale; i++) {
      const scraped = String((await call(`${gw.url}/metrics`)).body);
      for (const m of scraped.matchAll(/^gateway_cache_hits_total\{task="classify"[^}]*\} (\d+)/gm))
        hits += Number(m[1]);
    }
    assert.ok(hits >= 1, `gateway_cache_hits_total counted the hit (${hits})`);
    // Never shared across tenants.
    const otherKey = await gw.tenantKey('globex', undefined, true);
    const other = await call(`${gw.url}/v1/jobs`, { key: otherKey, body });
    assert.equal(other.body.cached, false);
  });

  it("lets a request choose its strategy only within its key's routing scopes", async () => {
    const body = { task: 'summarize', input: { text: 'Cats sleep a lot.' } };
    const scoped = await gw.tenantKey('acme', ['jobs:write', 'jobs:read', 'routing:cascade'], true);
    const refused = await call(`${gw.url}/v1/jobs`, {
      key: scoped,
      body: { ...body, routing: { strategy: 'least-cost' } },
    });
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'forbidden');
    assert.match(refused.body.error.message, /"least-cost".*routing:least-cost/);
    const allowed = await call(`${gw.url}/v1/jobs`, {
      key: scoped,
      body: { ...body, model: 'tiered', routing: { strategy: 'cascade' } },
    });
    assert.equal(allowed.status, 202, JSON.stringify(allowed.body));
    // Without routing.strategy the route's own strategy applies whatever the scopes.
    const plain = await call(`${gw.url}/v1/jobs`, { key: scoped, body });
    assert.equal(plain.status, 202);
    // Keys without routing scopes choose freely (unchanged for existing keys).
    const free = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { ...body, routing: { strategy: 'least-cost' } },
    });
    assert.equal(free.status, 202);
    assert.equal(free.body.route.reason.startsWith('least-cost of'), true, free.body.route.reason);
    const badScope = await call(`${gw.url}/admin/tenants/acme/keys`, {
      headers: { authorization: `Bearer ${gw.adminKey}` },
      body: { scopes: ['jobs:write', 'routing:fastest'] },
    });
    assert.equal(badScope.status, 400);
    assert.match(JSON.stringify(badScope.body), /routing:<strategy\|\*>/);
  });

  it('scores cascade complexity with the weights and threshold of gateway.yaml', async () => {
    const run = async (text: string) => {
      const sub = await call(`${gw.url}/v1/jobs`, {
        key,
        body: { task: 'summarize', model: 'tiered', input: { text } },
      });
      assert.equal(sub.status, 202, JSON.stringify(sub.body));
      return sub.body.route as { deployment: string; reason: string };
    };
    // Only constraint words count here (weight 1), threshold 0.3: three of the six that
    // saturate the feature score 0.5. With the default weights this text stays cheap (≈ 0.09).
    const hard = await run('You must only keep exactly the key facts of this note.');
    assert.equal(hard.deployment, 'strong-llm');
    assert.match(hard.reason, /complexity 0\.50 ≥ 0\.3 → strong tier/);
    const easy = await run('Cats sleep a lot. Dogs bark at night.');
    assert.equal(easy.deployment, 'cheap-llm');
    assert.match(easy.reason, /complexity 0\.00 < 0\.3 → cheap tier/);
  });

  it('routes HTTP and Kafka jobs past a deployment whose breaker is open, from live stats', async () => {
    const body = { task: 'summarize', model: 'guarded', input: { text: 'Breakers hold.' } };
    // The first job fails on tripped, which opens its breaker, and completes on backup.
    const first = await call(`${gw.url}/v1/jobs`, { key, body });
    assert.equal(first.body.route.deployment, 'tripped');
    const firstDone = await call(`${gw.url}/v1/jobs/${first.body.id}?wait=20`, { key });
    assert.equal(firstDone.body.route.deployment, 'backup');
    // The ingest's background refresh (every second) then sees the open breaker.
    let http = await call(`${gw.url}/v1/jobs`, { key, body });
    for (let i = 0; i < 40 && http.body.route?.deployment !== 'backup'; i++) {
      await sleep(100);
      http = await call(`${gw.url}/v1/jobs`, { key, body });
    }
    assert.equal(http.body.route.deployment, 'backup', http.body.route.reason);
    assert.match(http.body.route.reason, /breaker open, kept as last resort: tripped/);
    assert.deepEqual(http.body.route.candidates, ['backup', 'tripped']);
    // Kafka ingress (the dispatcher) routes on the same live stats, refreshed in its own
    // process every second: a job sent before its next refresh may still see the old state.
    let kafkaJob = await viaKafka('breaker-1', body);
    // The decision is the first candidate: `deployment` can also read backup after the
    // worker moved a job off the open breaker.
    for (let i = 2; i <= 5 && kafkaJob.route.candidates[0] !== 'backup'; i++) {
      await sleep(500);
      kafkaJob = await viaKafka(`breaker-${i}`, body);
    }
    assert.equal(kafkaJob.route.deployment, 'backup', kafkaJob.route.reason);
    assert.deepEqual(kafkaJob.route.candidates, ['backup', 'tripped']);
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
    // Kafka requests are routed by the dispatcher, which reloads on the file change too.
    await sleep(500);
    const kafkaJob = await viaKafka('reloaded-1', body);
    assert.equal(kafkaJob.route.deployment, 'backup');

    writeFileSync(path, 'routes: [ { match: { model: x }, targets: [no-such-deployment] } ]\n');
    await new Promise((r) => setTimeout(r, 800));
    const still = await call(`${gw.url}/v1/jobs`, { key, body });
    assert.equal(still.status, 202, 'the invalid file was refused and the previous routes kept');
  });
});

describe('config reload on SIGHUP', () => {
  // GATEWAY_CONFIG is a symlink into another folder, as with mounted config volumes: an edit
  // of the target is invisible to the watch on the link's folder, so only SIGHUP reloads it.
  const dir = mkdtempSync(join(tmpdir(), 'gw-sighup-'));
  const target = join(dir, 'real', 'gateway.yaml');
  const link = join(dir, 'conf', 'gateway.yaml');
  const base = `
providers:
  - { id: local, type: local }
deployments:
  - { id: one, provider: local, model: one, class: llm, tasks: [classify] }
tenants:
  - { id: acme }
`;
  let gw: Gateway;
  let key: string;

  before(async () => {
    mkdirSync(join(dir, 'real'));
    mkdirSync(join(dir, 'conf'));
    writeFileSync(target, base);
    symlinkSync(target, link);
    gw = await startGateway({ config: base, apps: ['ingest-api'], env: { GATEWAY_CONFIG: link } });
    key = await gw.tenantKey('acme', undefined, true);
  });
  after(async () => {
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('swaps routes on SIGHUP, and refuses an invalid file listing every problem', async () => {
    const body = { task: 'classify', model: 'hup', input: { text: 'ok', labels: ['a', 'b'] } };
    assert.equal((await call(`${gw.url}/v1/jobs`, { key, body })).status, 400);
    writeFileSync(
      target,
      `${base}routes:\n  - { match: { model: hup }, strategy: priority, targets: [one] }\n`,
    );
    await sleep(600);
    assert.equal(
      (await call(`${gw.url}/v1/jobs`, { key, body })).status,
      400,
      'no reload before the signal',
    );
    // Every ingest process reloads on its own signal (two of them when the suite is scaled).
    const hup = () => gw.replicasOf('ingest-api').forEach((n) => gw.procs.get(n)!.kill('SIGHUP'));
    hup();
    let res = await call(`${gw.url}/v1/jobs`, { key, body });
    for (let i = 0; i < 30 && res.status !== 202; i++) {
      await sleep(100);
      res = await call(`${gw.url}/v1/jobs`, { key, body });
    }
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.route.deployment, 'one');

    writeFileSync(
      target,
      `${base.replace('provider: local, model: one', 'provider: nope, model: one')}routes:\n  - { match: { model: hup }, targets: [gone] }\n`,
    );
    hup();
    let refusal: { err?: string } | undefined;
    for (let i = 0; i < 30 && !refusal; i++) {
      await sleep(100);
      refusal = gw
        .output('ingest-api')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg?: string; err?: string })
        .find((l) => l.msg === 'config reload refused; keeping the old config');
    }
    assert.ok(refusal?.err, 'the refusal is logged');
    assert.match(refusal.err, /deployments\[0\]\.provider: unknown provider "nope"; known: local/);
    assert.match(refusal.err, /routes\[0\]\.targets\[0\]: unknown deployment "gone"; known: /);
    const still = await call(`${gw.url}/v1/jobs`, { key, body });
    assert.equal(still.status, 202, 'the old config is kept');
    assert.equal(still.body.route.deployment, 'one');
  });
});
