import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuditEventV1, ResultEventV1, TASKS, type TaskName } from '@gateway/contracts';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call, postDeclaredSize } from '../support/http';
import { assertIdempotency } from '../support/idempotency-check';
import { solidPng, textPng } from '../support/images';
import { KafkaCollector } from '../support/kafka-collector';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: slow-llm, provider: local, model: slow, class: llm, tasks: [chat, summarize], region: local,
      limits: { maxConcurrency: 1 }, simulate: { latencyMs: 4000 } }
routes:
  - { match: { model: slow }, strategy: priority, targets: [slow-llm] }
tenants:
  - { id: acme }
  - { id: globex }
`;

describe('job lifecycle end to end', () => {
  let gw: Gateway;
  let key: string;
  let otherKey: string;
  let kafka: KafkaCollector;

  before(async () => {
    gw = await startGateway({ config: CONFIG });
    key = await gw.tenantKey('acme', undefined, true);
    otherKey = await gw.tenantKey('globex', undefined, true);
    kafka = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.results, gw.topics.audit]).start();
  });
  after(async () => {
    await kafka?.stop();
    await gw?.stop();
  });

  it('runs every task over HTTP, long-polled to succeeded, with result and audit events in Kafka', async () => {
    const red = await solidPng(220, 20, 20);
    const words = await textPng('HELLO GATEWAY 2026');
    const inputs: Record<TaskName, unknown> = {
      chat: {
        messages: [{ role: 'user', content: 'Hello, how many words are in this sentence?' }],
      },
      summarize: {
        text: 'Redis keeps the queue. Kafka carries the results to every consumer. The gateway routes each job to a model. Workers call the models with adaptive concurrency.',
        maxWords: 20,
      },
      classify: {
        text: 'I love this product, it is wonderful and great',
        labels: ['positive', 'negative'],
      },
      extract: {
        text: 'Contact jane.doe@example.com before 2026-03-14 about the invoice of $1,250.00.',
        schema: {
          type: 'object',
          properties: {
            email: { type: 'string', format: 'email' },
            due: { type: 'string', format: 'date' },
          },
        },
      },
      embed: { input: ['queue jobs in redis', 'publish results to kafka'], dimensions: 64 },
      'image.classify': { image: { base64: red, mediaType: 'image/png' }, labels: ['red', 'blue'] },
      'image.caption': { image: { base64: red, mediaType: 'image/png' } },
      'image.ocr': { image: { base64: words, mediaType: 'image/png' } },
    };
    const ids = new Map<string, TaskName>();
    for (const task of Object.keys(inputs) as TaskName[]) {
      const res = await call(`${gw.url}/v1/jobs`, {
        key,
        body: { task, input: inputs[task], correlationId: `corr-${task}` },
      });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.equal(res.headers.get('location'), `/v1/jobs/${res.body.id}`);
      assert.equal(res.body.status, 'queued');
      ids.set(res.body.id, task);
    }
    for (const [id, task] of ids) {
      const res = await call(`${gw.url}/v1/jobs/${id}?wait=30`, { key });
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'succeeded', `${task}: ${JSON.stringify(res.body.error)}`);
      assert.ok(
        TASKS[task].output.safeParse(res.body.output).success,
        `${task} output matches its schema`,
      );
      assert.equal(res.body.route.provider, 'local');
      assert.ok(res.body.usage.inputTokens > 0);
      assert.equal(res.body.costUsd, 0);
      assert.ok(res.body.timings.totalMs >= res.body.timings.providerMs);
    }
    const byId = (await call(`${gw.url}/v1/jobs/${[...ids.keys()][2]}`, { key })).body;
    assert.equal(byId.output.label, 'positive');
    const ocrId = [...ids].find(([, t]) => t === 'image.ocr')![0];
    assert.match(
      (await call(`${gw.url}/v1/jobs/${ocrId}`, { key })).body.output.text,
      /HELLO\s+GATEWAY/,
    );

    await kafka.waitFor('a result event per job', (ev) =>
      [...ids.keys()].every((id) =>
        ev.some((e) => e.topic === gw.topics.results && e.value.id === id),
      ),
    );
    await kafka.waitFor('a success audit per job', (ev) =>
      [...ids.keys()].every((id) =>
        ev.some(
          (e) =>
            e.topic === gw.topics.audit &&
            (e.value.data as any)?.jobId === id &&
            (e.value.data as any)?.action === 'job.succeeded',
        ),
      ),
    );
    for (const e of kafka.events.filter(
      (x) => x.topic === gw.topics.results && ids.has(String(x.value.id)),
    )) {
      const parsed = ResultEventV1.safeParse(e.value);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
      assert.equal(e.value.specversion, '1.0');
      assert.equal(e.value.type, 'ai.job.succeeded.v1');
      assert.equal(e.key, `corr-${ids.get(String(e.value.id))}`);
    }
    for (const e of kafka.events.filter((x) => x.topic === gw.topics.audit)) {
      assert.ok(AuditEventV1.safeParse(e.value).success);
      // Admin actions (creating the test's keys) are audited too, keyed by their tenant.
      if (ids.has(String((e.value.data as any)?.jobId))) assert.equal(e.key, 'acme');
    }
  });

  it('cancels a queued job (it never runs) and a running one (its call is aborted)', async () => {
    const body = {
      task: 'summarize',
      model: 'slow',
      input: { text: 'One sentence. Another sentence.' },
    };
    const running = (await call(`${gw.url}/v1/jobs`, { key, body })).body;
    const queued = (await call(`${gw.url}/v1/jobs`, { key, body })).body;
    // Wait until the first is running (concurrency 1 keeps the second queued).
    for (let i = 0; i < 50; i++) {
      if ((await call(`${gw.url}/v1/jobs/${running.id}`, { key })).body.status === 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The queued one first: cancelling the running one frees the only slot at once.
    const c2 = await call(`${gw.url}/v1/jobs/${queued.id}`, { key, method: 'DELETE' });
    assert.equal(c2.body.status, 'cancelled');
    const t0 = Date.now();
    const c1 = await call(`${gw.url}/v1/jobs/${running.id}`, { key, method: 'DELETE' });
    assert.equal(c1.status, 200);
    assert.equal(c1.body.status, 'cancelled');
    // The worker slot frees at once (the 4 s call was aborted): a new slow job starts quickly.
    const next = (await call(`${gw.url}/v1/jobs`, { key, body })).body;
    let started = false;
    for (let i = 0; i < 30 && !started; i++) {
      started = (await call(`${gw.url}/v1/jobs/${next.id}`, { key })).body.status === 'running';
      if (!started) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(started && Date.now() - t0 < 3500, 'the aborted call released its slot');
    const after = await call(`${gw.url}/v1/jobs/${queued.id}`, { key });
    assert.equal(after.body.status, 'cancelled');
    assert.equal(after.body.startedAt, null, 'the queued job never ran');
    const again = await call(`${gw.url}/v1/jobs/${running.id}`, { key, method: 'DELETE' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'conflict');
    await call(`${gw.url}/v1/jobs/${next.id}`, { key, method: 'DELETE' });
  });

  it('returns the same job for the same Idempotency-Key and body, 409 for another body', async () => {
    await assertIdempotency({ first: gw.url, second: gw.url, key, otherKey });
  });

  it("hides another tenant's jobs (404) and lists only the caller's, newest first", async () => {
    const mine = (
      await call(`${gw.url}/v1/jobs`, { key, body: { task: 'embed', input: { input: 'x' } } })
    ).body;
    const theirs = await call(`${gw.url}/v1/jobs/${mine.id}`, { key: otherKey });
    assert.equal(theirs.status, 404);
    assert.equal(theirs.body.error.code, 'not_found');
    assert.equal(
      (await call(`${gw.url}/v1/jobs/${mine.id}`, { key: otherKey, method: 'DELETE' })).status,
      404,
    );
    const list = await call(`${gw.url}/v1/jobs?limit=5`, { key });
    assert.equal(list.status, 200);
    assert.equal(list.body.data[0].id, mine.id);
    assert.ok(list.body.data.every((j: { tenantId: string }) => j.tenantId === 'acme'));
    const page2 = await call(`${gw.url}/v1/jobs?limit=5&cursor=${list.body.nextCursor}`, { key });
    assert.equal(page2.status, 200);
    assert.ok(
      page2.body.data.every(
        (j: { id: string }) => !list.body.data.some((x: { id: string }) => x.id === j.id),
      ),
    );
    const otherList = await call(`${gw.url}/v1/jobs`, { key: otherKey });
    assert.ok(otherList.body.data.every((j: { tenantId: string }) => j.tenantId === 'globex'));
  });

  it('answers 400, 401, 413 and 415 in the documented error shape, enqueuing nothing', async () => {
    const before = (await call(`${gw.url}/v1/jobs?limit=100`, { key })).body.data.length;
    const cases = [
      {
        res: await call(`${gw.url}/v1/jobs`, { key, body: { task: 'summarize', input: {} } }),
        status: 400,
        code: 'validation_failed',
      },
      {
        res: await call(`${gw.url}/v1/jobs`, {
          key,
          body: { task: 'summarize', input: { text: 'x' }, extra: 1 },
        }),
        status: 400,
        code: 'validation_failed',
      },
      {
        res: await call(`${gw.url}/v1/jobs`, { key, body: { task: 'nope', input: {} } }),
        status: 400,
        code: 'validation_failed',
      },
      {
        res: await call(`${gw.url}/v1/jobs`, {
          key,
          raw: '{"task":',
          headers: { 'content-type': 'application/json' },
        }),
        status: 400,
        code: 'invalid_json',
      },
      {
        res: await call(`${gw.url}/v1/jobs`, { body: { task: 'summarize', input: { text: 'x' } } }),
        status: 401,
        code: 'unauthenticated',
      },
      {
        res: await call(`${gw.url}/v1/jobs`, {
          key: 'gw_notarealkeyatallnotarealkey',
          body: { task: 'summarize', input: { text: 'x' } },
        }),
        status: 401,
        code: 'unauthenticated',
      },
      {
        res: await postDeclaredSize(`${gw.url}/v1/jobs`, key, 10 * 1024 * 1024 + 1),
        status: 413,
        code: 'payload_too_large',
      },
      {
        res: await call(`${gw.url}/v1/jobs`, {
          key,
          raw: 'task=summarize',
          headers: { 'content-type': 'text/plain' },
        }),
        status: 415,
        code: 'unsupported_media_type',
      },
    ];
    for (const c of cases) {
      assert.equal(c.res.status, c.status, JSON.stringify(c.res.body));
      assert.equal(c.res.body.error.code, c.code);
      assert.equal(typeof c.res.body.error.message, 'string');
      assert.match(c.res.body.error.requestId, /^req_/);
    }
    assert.ok(Array.isArray(cases[0].res.body.error.details));
    const afterCount = (await call(`${gw.url}/v1/jobs?limit=100`, { key })).body.data.length;
    assert.equal(afterCount, before);
  });

  it('serves OpenAPI 3.1 generated from the schemas, and a docs page', async () => {
    const doc = await call(`${gw.url}/openapi.json`);
    assert.equal(doc.body.openapi, '3.1.0');
    assert.ok(doc.body.components.schemas.JobRequest);
    assert.ok(doc.body.paths['/v1/jobs'].post);
    const page = await fetch(`${gw.url}/docs`);
    assert.match(await page.text(), /AI Gateway API/);
  });
});
