import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keysMatching, startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { KafkaCollector } from '../support/kafka-collector';

const CONFIG = `
providers:
  - { id: local, type: local }
tenants:
  - { id: acme }
  - { id: globex }
`;
const JOB = { task: 'summarize', input: { text: 'Scopes decide. Tenants never meet.' } };
const audits = (k: KafkaCollector, topic: string) =>
  k.events.filter((e) => e.topic === topic).map((e) => e.value.data as Record<string, any>);

describe('keys, scopes, tenant isolation and admin roles', () => {
  let gw: Gateway;
  let kafka: KafkaCollector;
  let replica: string;

  before(async () => {
    gw = await startGateway({ config: CONFIG });
    replica = await gw.startIngestReplica('ingest-2');
    kafka = await new KafkaCollector(gw.kafkaBrokers, [gw.topics.audit]).start();
  });
  after(async () => {
    await kafka?.stop();
    await gw?.stop();
  });

  it('answers 403 naming the missing scope, and keeps tenants apart on every job route', async () => {
    const writer = await gw.tenantKey('acme', ['jobs:write'], true);
    const reader = await gw.tenantKey('acme', ['jobs:read'], true);
    const other = await gw.tenantKey('globex', undefined, true);
    const job = await call(`${gw.url}/v1/jobs`, { key: writer, body: JOB });
    assert.equal(job.status, 202);
    const id = job.body.id as string;

    const denied = await call(`${gw.url}/v1/jobs/${id}`, { key: writer });
    assert.equal(denied.status, 403);
    assert.match(denied.body.error.message, /jobs:read/);
    assert.ok(denied.headers.get('x-ratelimit-limit'), 'a 403 after auth still has rate headers');
    const deniedWrite = await call(`${gw.url}/v1/jobs`, { key: reader, body: JOB });
    assert.equal(deniedWrite.status, 403);
    assert.match(deniedWrite.body.error.message, /jobs:write/);

    assert.equal((await call(`${gw.url}/v1/jobs/${id}`, { key: reader })).status, 200);
    assert.equal((await call(`${gw.url}/v1/jobs/${id}`, { key: other })).status, 404);
    assert.equal((await call(`${gw.url}/v1/jobs/${id}/events`, { key: other })).status, 404);
    assert.equal(
      (await call(`${gw.url}/v1/jobs/${id}`, { method: 'DELETE', key: other })).status,
      404,
    );
    const list = await call(`${gw.url}/v1/jobs`, { key: other });
    assert.equal(list.status, 200);
    assert.ok(!list.body.data.some((j: { id: string }) => j.id === id));
    const usage = await call(`${gw.url}/v1/usage?tenant=acme`, { key: other });
    assert.equal(usage.status, 403);

    const limited = await call(`${gw.url}/v1/jobs`, {
      key: await gw.tenantKey('acme', ['jobs:write', 'models:nothing-*'], true),
      body: { ...JOB, model: 'local-llm' },
    });
    assert.equal(limited.status, 403, JSON.stringify(limited.body));

    await kafka.waitFor('scope denial audits', (ev) =>
      audits({ events: ev } as KafkaCollector, gw.topics.audit).some(
        (a) => a.action === 'scope.denied' && a.details.missingScope === 'jobs:write',
      ),
    );
  });

  it('rotates with a grace period and revokes at once on every replica', async () => {
    const h = { authorization: `Bearer ${gw.adminKey}` };
    const key = await gw.tenantKey('acme', undefined, true);
    const keys = await call(`${gw.url}/admin/tenants/acme/keys`, { headers: h });
    const id = keys.body.data.find((k: { prefix: string }) => key.startsWith(k.prefix))
      .id as string;
    // Both replicas have the key cached.
    assert.equal((await call(`${gw.url}/v1/jobs`, { key })).status, 200);
    assert.equal((await call(`${replica}/v1/jobs`, { key })).status, 200);

    const rotated = await call(`${gw.url}/admin/keys/${id}/rotate`, {
      headers: h,
      body: { graceSeconds: 2 },
    });
    assert.equal(rotated.status, 201);
    assert.match(rotated.body.key, /^gw_/);
    assert.equal((await call(`${replica}/v1/jobs`, { key: rotated.body.key })).status, 200);
    assert.equal((await call(`${replica}/v1/jobs`, { key })).status, 200, 'old key in grace');
    await new Promise((r) => setTimeout(r, 2200));
    assert.equal((await call(`${replica}/v1/jobs`, { key })).status, 401, 'grace over');
    assert.equal((await call(`${gw.url}/v1/jobs`, { key })).status, 401);

    const revoke = await call(`${gw.url}/admin/keys/${rotated.body.id}`, {
      method: 'DELETE',
      headers: h,
    });
    assert.equal(revoke.status, 200);
    assert.equal((await call(`${replica}/v1/jobs`, { key: rotated.body.key })).status, 401);

    await kafka.waitFor('auth failure and admin audits', (ev) => {
      const a = audits({ events: ev } as KafkaCollector, gw.topics.audit);
      return (
        a.some((x) => x.action === 'auth.failed') &&
        a.some((x) => x.action === 'admin.action' && x.reason === 'POST /admin/keys/:id/rotate')
      );
    });
  });

  it('gives named admin credentials only what their role allows, and audits each action', async () => {
    const h = { authorization: `Bearer ${gw.adminKey}` };
    const viewer = await call(`${gw.url}/admin/credentials`, {
      headers: h,
      body: { name: 'dashboard', role: 'viewer' },
    });
    assert.equal(viewer.status, 201);
    const operator = await call(`${gw.url}/admin/credentials`, {
      headers: h,
      body: { name: 'oncall', role: 'operator' },
    });
    const asViewer = { authorization: `Bearer ${viewer.body.credential}` };
    const asOperator = { authorization: `Bearer ${operator.body.credential}` };

    assert.equal((await call(`${gw.url}/admin/tenants`, { headers: asViewer })).status, 200);
    const create = await call(`${gw.url}/admin/tenants`, { headers: asViewer, body: { id: 'x1' } });
    assert.equal(create.status, 403);
    assert.match(create.body.error.message, /operator/);
    assert.equal(
      (await call(`${gw.url}/admin/tenants`, { headers: asOperator, body: { id: 'x1' } })).status,
      201,
    );
    const patched = await call(`${gw.url}/admin/tenants/x1`, {
      method: 'PATCH',
      headers: asOperator,
      body: { limits: { rpm: 10 } },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.limits.rpm, 10);
    assert.equal(
      (await call(`${gw.url}/admin/tenants/x1/data`, { method: 'DELETE', headers: asOperator }))
        .status,
      403,
      'erasure needs the admin role',
    );
    const usage = await call(`${gw.url}/admin/usage`, { headers: asViewer });
    assert.equal(usage.status, 200);
    assert.ok(Array.isArray(usage.body.data));
    const bad = await call(`${gw.url}/admin/tenants`, {
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(bad.status, 401);

    const revoke = await call(`${gw.url}/admin/credentials/${viewer.body.id}`, {
      method: 'DELETE',
      headers: h,
    });
    assert.equal(revoke.status, 200);
    assert.equal((await call(`${gw.url}/admin/tenants`, { headers: asViewer })).status, 401);

    await kafka.waitFor('admin audits with the named actor', (ev) => {
      const a = audits({ events: ev } as KafkaCollector, gw.topics.audit);
      return (
        a.some(
          (x) =>
            x.action === 'admin.action' &&
            x.actor.id === operator.body.id &&
            x.details.status === 201,
        ) &&
        a.some(
          (x) =>
            x.action === 'admin.action' &&
            x.actor.id === viewer.body.id &&
            x.outcome === 'forbidden',
        )
      );
    });
  });

  it('erases a tenant’s stored jobs on request', async () => {
    const h = { authorization: `Bearer ${gw.adminKey}` };
    const key = await gw.tenantKey('globex', undefined, true);
    // Cached on request: the cache entry holds the output and must go too.
    const job = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { ...JOB, cache: { ttlSeconds: 600 } },
    });
    await call(`${gw.url}/v1/jobs/${job.body.id}?wait=20`, { key });
    // A free job (local, price 0) settles too: it shows in the usage report.
    let jobs = 0;
    for (let i = 0; i < 50 && jobs === 0; i++) {
      jobs = (await call(`${gw.url}/v1/usage`, { key })).body.totals.jobs;
      if (jobs === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(jobs, 1);
    const cacheMatch = `${gw.prefix}:{t:globex}:cache:*`;
    const redis = gw.redis();
    for (let i = 0; i < 50 && (await keysMatching(redis, cacheMatch)).length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    const erased = await call(`${gw.url}/admin/tenants/globex/data`, {
      method: 'DELETE',
      headers: h,
    });
    assert.equal(erased.status, 200);
    assert.ok(erased.body.jobs >= 1);
    assert.equal(erased.body.cacheEntries, 1);
    assert.deepEqual(await keysMatching(redis, cacheMatch), []);
    redis.disconnect();
    assert.equal((await call(`${gw.url}/v1/jobs/${job.body.id}`, { key })).status, 404);
    assert.equal((await call(`${gw.url}/v1/jobs`, { key })).body.data.length, 0);
  });
});
