import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, postDeclaredSize } from '../support/http';
import { sleep } from '../support/load';
import { bearer, BODY_LIMIT, ownedId, startFixture, type Fixture } from './fixture';
import {
  ADMIN_ROUTES,
  codeOn,
  errorShapeProblem,
  pathOf,
  ROUTES,
  TENANT_ID_ROUTES,
  type RouteSpec,
} from './routes';

// OWASP API Security Top 10 checks that apply to the routes in the table: object-level
// authorisation (API1), authentication (API2), unbounded resource use (API4) and
// function-level authorisation (API5).
describe('OWASP API checks', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(async () => fx?.stop());

  const refused = async (
    method: string,
    path: string,
    headers: Record<string, string>,
    status: number,
    gatewayCode: string,
    route?: RouteSpec,
  ) => {
    const code = route ? codeOn(route, gatewayCode) : gatewayCode;
    const before = await fx.state();
    const res = await fx.send({
      method,
      path,
      headers: { ...headers, 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : '{}',
    });
    const what = `${method} ${path}: ${res.status} ${res.text.slice(0, 200)}`;
    assert.equal(res.status, status, what);
    assert.equal((res.body as { error: { code: string } }).error.code, code, what);
    assert.equal(errorShapeProblem(res.status, res.body, route), undefined, what);
    assert.equal(await fx.state(), before, `state changed: ${what}`);
  };

  it("API1: another tenant's id answers 404 on every id-taking route, changing nothing", async () => {
    for (const r of TENANT_ID_ROUTES) {
      const theirs = ownedId(fx, r, 'acme');
      await refused(r.method, pathOf(r, theirs), bearer(fx.keys.globex), 404, 'not_found', r);
    }
    const list = await call<{ data: { id: string }[] }>(`${fx.gw.url}/v1/jobs`, {
      key: fx.keys.globex,
    });
    assert.ok(!list.body.data.some((j) => j.id === fx.jobs.acme), 'lists hide it too');
    const hooks = await call<{ data: { id: string }[] }>(`${fx.gw.url}/v1/webhooks`, {
      key: fx.keys.globex,
    });
    assert.deepEqual(
      hooks.body.data.map((h) => h.id),
      [fx.webhooks.globex],
    );
  });

  it('API5: admin routes refuse tenant keys, even one holding the admin scope', async () => {
    const mighty = await fx.gw.tenantKey(
      'acme',
      ['jobs:write', 'jobs:read', 'batches', 'admin'],
      true,
    );
    for (const r of ADMIN_ROUTES) {
      for (const key of [fx.keys.acme, mighty]) {
        await refused(r.method, pathOf(r, 'victim'), bearer(key), 401, 'unauthenticated', r);
      }
      await refused(r.method, pathOf(r, 'victim'), {}, 401, 'unauthenticated', r);
      await refused(
        r.method,
        pathOf(r, 'victim'),
        { cookie: 'gw_admin=not-the-admin-key' },
        401,
        'unauthenticated',
        r,
      );
    }
  });

  it('API5: a key without the scope a route needs gets 403 naming the scope', async () => {
    const readOnly = await fx.gw.tenantKey('acme', ['jobs:read'], true);
    await refused('POST', '/v1/jobs', bearer(readOnly), 403, 'forbidden');
    const writeOnly = await fx.gw.tenantKey('acme', ['jobs:write'], true);
    await refused('GET', '/v1/jobs', bearer(writeOnly), 403, 'forbidden');
  });

  it('API2: expired and revoked keys are refused on every tenant route', async () => {
    const h = { authorization: `Bearer ${fx.gw.adminKey}`, 'content-type': 'application/json' };
    const mk = async (expiresAt?: string) => {
      const r = await call<{ id: string; key: string }>(`${fx.gw.url}/admin/tenants/acme/keys`, {
        headers: h,
        body: { scopes: ['jobs:write', 'jobs:read'], ...(expiresAt ? { expiresAt } : {}) },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    const expiring = await mk(new Date(Date.now() + 1500).toISOString());
    const revoked = await mk();
    for (const k of [expiring.key, revoked.key]) {
      assert.equal((await call(`${fx.gw.url}/v1/jobs`, { key: k })).status, 200, 'works first');
    }
    const del = await call(`${fx.gw.url}/admin/keys/${revoked.id}`, {
      method: 'DELETE',
      key: fx.gw.adminKey,
    });
    assert.equal(del.status, 200);
    await sleep(1600);
    const tenantRoutes = ROUTES.filter((r) => r.auth === 'tenant');
    for (const key of [expiring.key, revoked.key]) {
      for (const r of tenantRoutes) {
        await refused(r.method, pathOf(r, fx.jobs.acme), bearer(key), 401, 'unauthenticated', r);
      }
    }
  });

  it('API4: body size, wait and list limits are capped', async () => {
    const key = fx.keys.acme;
    const before = await fx.state();
    const big = await fx.send({
      method: 'POST',
      path: '/v1/jobs',
      headers: { ...bearer(key), 'content-type': 'application/json' },
      body: JSON.stringify({
        task: 'summarize',
        input: { text: 'x'.repeat(BODY_LIMIT) },
      }),
    });
    assert.equal(big.status, 413);
    const declared = await postDeclaredSize(`${fx.gw.url}/v1/jobs`, key, 1024 * 1024 * 1024);
    assert.equal(declared.status, 413, 'a 1 GiB announcement is refused before it is read');
    for (const q of ['wait=61', 'wait=1e9', 'wait=-1']) {
      const r = await call(`${fx.gw.url}/v1/jobs/${fx.jobs.acme}?${q}`, { key });
      assert.equal(r.status, 400, q);
    }
    for (const q of ['limit=101', 'limit=0', 'limit=1000000']) {
      const r = await call(`${fx.gw.url}/v1/jobs?${q}`, { key });
      assert.equal(r.status, 400, q);
    }
    assert.equal((await call(`${fx.gw.url}/v1/jobs?limit=100`, { key })).status, 200);
    // The OpenAI list routes too (a fractional limit once reached Redis and answered 500).
    for (const q of [
      'files?limit=60.5',
      'files?limit=10001',
      'batches?limit=0',
      'batches?limit=1e3',
    ]) {
      const r = await call(`${fx.gw.url}/v1/${q}`, { key });
      assert.equal(r.status, 400, q);
      assert.equal(r.body.error.param, 'limit', q);
    }
    assert.equal((await call(`${fx.gw.url}/v1/batches?limit=100`, { key })).status, 200);
    // Headers past Node's limit are refused by the HTTP parser itself (no JSON body there).
    // The parser answers 431 and closes the connection; a client that was still writing may
    // see the close (ECONNRESET) first. Either is a refusal.
    const huge = await fetch(`${fx.gw.url}/v1/jobs`, {
      headers: { ...bearer(key), 'x-pad': 'p'.repeat(64 * 1024) },
    }).then(
      (r) => r.status,
      (e: Error & { cause?: { code?: string } }) => e.cause?.code ?? e.message,
    );
    assert.ok(
      huge === 'ECONNRESET' || (typeof huge === 'number' && huge >= 400 && huge < 500),
      `oversized headers: ${huge}`,
    );
    assert.equal(await fx.state(), before);
  });
});
