import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { startGateway, type Gateway } from '../support/gateway-harness';
import { call } from '../support/http';
import { until, WebhookReceiver, type ReceivedHook } from '../support/webhook-receiver';

const config = (port: number) => `
providers:
  - { id: local, type: local }
tenants:
  - { id: acme }
  - { id: globex }
webhooks: { allowHosts: ["127.0.0.1:${port}"], timeoutMs: 2000, schedule: [0.2, 0.2, 0.2] }
`;

const SUMMARIZE = {
  task: 'summarize',
  input: { text: 'Webhooks carry results. Receivers verify them.' },
};

function verify(hook: ReceivedHook, secret: string): { type: string; data: { id: string } } {
  const h = hook.headers;
  return new Webhook(secret).verify(hook.body, {
    'webhook-id': String(h['webhook-id']),
    'webhook-timestamp': String(h['webhook-timestamp']),
    'webhook-signature': String(h['webhook-signature']),
  }) as { type: string; data: { id: string } };
}

describe('webhooks end to end', () => {
  let gw: Gateway;
  let key: string;
  let otherKey: string;
  let secret: string;
  const rx = new WebhookReceiver();
  const admin = () => ({ authorization: `Bearer ${gw.adminKey}` });

  before(async () => {
    await rx.start();
    gw = await startGateway({ config: config(rx.port) });
    key = await gw.tenantKey('acme', undefined, true);
    otherKey = await gw.tenantKey('globex', undefined, true);
    const s = await call(`${gw.url}/v1/webhooks/signing-secret`, { key });
    assert.equal(s.status, 200);
    secret = s.body.secret;
    assert.match(secret, /^whsec_/);
  });
  after(async () => {
    await gw?.stop();
    await rx.stop();
  });

  async function submit(path: string): Promise<string> {
    const res = await call(`${gw.url}/v1/jobs`, {
      key,
      body: { ...SUMMARIZE, webhook: { url: rx.url(path) } },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.id as string;
  }

  it('delivers a signed job.succeeded event that verifies with the tenant secret', async () => {
    const id = await submit('/ok');
    await until('delivery', () => rx.on('/ok').some((h) => h.body.includes(id)));
    const hook = rx.on('/ok').find((h) => h.body.includes(id))!;
    const payload = verify(hook, secret);
    assert.equal(payload.type, 'job.succeeded');
    assert.equal(payload.data.id, id);
    assert.equal(hook.headers['webhook-id'], `msg_${id}_job`);
    // The attempt is recorded once the receiver's answer is in, a moment after it got the hook.
    await until('attempt recorded', async () => {
      const r = await call(`${gw.url}/v1/jobs/${id}/webhooks`, { key });
      return r.body.data.length > 0;
    });
    const attempts = await call(`${gw.url}/v1/jobs/${id}/webhooks`, { key });
    assert.equal(attempts.status, 200);
    assert.equal(attempts.body.data.length, 1);
    const a = attempts.body.data[0];
    assert.equal(a.outcome, 'delivered');
    assert.equal(a.status, 200);
    assert.equal(typeof a.latencyMs, 'number');
    assert.ok(Date.parse(a.at) > 0);
    assert.equal((await call(`${gw.url}/v1/jobs/${id}/webhooks`, { key: otherKey })).status, 404);
  });

  it('retries a receiver that fails three times and delivers on attempt 4', async () => {
    const id = await submit('/flaky');
    await until('4 attempts', () => rx.on('/flaky').length >= 4);
    const hooks = rx.on('/flaky');
    assert.equal(hooks.length, 4);
    // Same message id on every attempt, each one correctly signed.
    assert.equal(new Set(hooks.map((h) => h.headers['webhook-id'])).size, 1);
    hooks.forEach((h) => verify(h, secret));
    await until('attempts recorded', async () => {
      const r = await call(`${gw.url}/v1/jobs/${id}/webhooks`, { key });
      return r.body.data.length === 4;
    });
    const r = await call(`${gw.url}/v1/jobs/${id}/webhooks`, { key });
    assert.deepEqual(
      r.body.data.map((a: { attempt: number; outcome: string; status: number }) => [
        a.attempt,
        a.outcome,
        a.status,
      ]),
      [
        [1, 'retrying', 500],
        [2, 'retrying', 500],
        [3, 'retrying', 500],
        [4, 'delivered', 200],
      ],
    );
  });

  it('keeps a delivery that always fails as dead, and a replay delivers it', async () => {
    const id = await submit('/down');
    await until('dead letter', async () => {
      const d = await call(`${gw.url}/admin/webhooks/dead`, { headers: admin() });
      return d.body.data?.some((x: { data: { jobId: string } }) => x.data.jobId === id);
    });
    assert.equal(rx.on('/down').length, 4);
    const dead = await call(`${gw.url}/admin/webhooks/dead`, { headers: admin() });
    const entry = dead.body.data.find((x: { data: { jobId: string } }) => x.data.jobId === id);
    assert.equal(entry.attempts, 4);
    assert.equal(entry.lastStatus, 500);
    assert.equal((await call(`${gw.url}/admin/webhooks/dead`)).status, 401);
    rx.recover();
    const replay = await call(`${gw.url}/admin/webhooks/dead/${entry.data.deliveryId}/replay`, {
      method: 'POST',
      headers: admin(),
    });
    assert.equal(replay.status, 202, JSON.stringify(replay.body));
    await until('replayed delivery', () => rx.on('/down').length === 5);
    verify(rx.on('/down')[4], secret);
    const again = await call(`${gw.url}/admin/webhooks/dead/${entry.data.deliveryId}/replay`, {
      method: 'POST',
      headers: admin(),
    });
    assert.equal(again.status, 404);
    const after = await call(`${gw.url}/admin/webhooks/dead`, { headers: admin() });
    assert.ok(!after.body.data.some((x: { data: { jobId: string } }) => x.data.jobId === id));
  });

  it('delivers to registered endpoints with their own secret, old and new during rotation', async () => {
    const created = await call(`${gw.url}/v1/webhooks`, {
      key,
      body: { url: rx.url('/ok-endpoint'), events: ['job.succeeded'] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const epSecret = created.body.secret as string;
    const list = await call(`${gw.url}/v1/webhooks`, { key });
    assert.equal(list.body.data.length, 1);
    assert.equal(list.body.data[0].secret, undefined);
    assert.equal((await call(`${gw.url}/v1/webhooks`, { key: otherKey })).body.data.length, 0);
    const rotated = await call(`${gw.url}/v1/webhooks/${created.body.id}/rotate`, {
      key,
      body: { graceSeconds: 600 },
    });
    assert.equal(rotated.status, 200);
    const job = await call(`${gw.url}/v1/jobs`, { key, body: SUMMARIZE });
    await until('endpoint delivery', () =>
      rx.on('/ok-endpoint').some((h) => h.body.includes(job.body.id)),
    );
    const hook = rx.on('/ok-endpoint').find((h) => h.body.includes(job.body.id))!;
    assert.equal(verify(hook, epSecret).data.id, job.body.id);
    assert.equal(verify(hook, rotated.body.secret).data.id, job.body.id);
    assert.throws(() => verify(hook, secret));
    const del = await call(`${gw.url}/v1/webhooks/${created.body.id}`, {
      key: otherKey,
      method: 'DELETE',
    });
    assert.equal(del.status, 404);
    const ok = await call(`${gw.url}/v1/webhooks/${created.body.id}`, { key, method: 'DELETE' });
    assert.equal(ok.status, 200);
  });

  it('refuses SSRF vectors at submission and registration with invalid_webhook_url', async () => {
    const vectors = [
      'http://127.0.0.1/',
      'http://localhost/',
      'http://foo.localhost:8080/',
      'http://[::1]/',
      'http://10.1.2.3/',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://0.0.0.0/',
      'http://[::ffff:127.0.0.1]/',
      'http://2130706433/',
      'http://0177.0.0.1/',
      `http://127.0.0.1:${rx.port + 1 === 65536 ? 1 : rx.port + 1}/`,
      'ftp://example.com/',
    ];
    const before = await call(`${gw.url}/v1/jobs?limit=100`, { key });
    for (const url of vectors) {
      const res = await call(`${gw.url}/v1/jobs`, {
        key,
        body: { ...SUMMARIZE, webhook: { url } },
      });
      assert.equal(res.status, 400, `${url}: ${JSON.stringify(res.body)}`);
      // ftp is refused by the request schema itself, the rest by the SSRF guard.
      const code = url.startsWith('ftp') ? 'validation_failed' : 'invalid_webhook_url';
      assert.equal(res.body.error.code, code, url);
      const ep = await call(`${gw.url}/v1/webhooks`, { key, body: { url } });
      assert.equal(ep.status, 400, url);
    }
    const afterList = await call(`${gw.url}/v1/jobs?limit=100`, { key });
    assert.equal(afterList.body.data.length, before.body.data.length, 'nothing was enqueued');
  });

  it('does not follow a redirect to loopback', async () => {
    const id = await submit('/redirect');
    await until('redirect attempts', async () => {
      const r = await call(`${gw.url}/v1/jobs/${id}/webhooks`, { key });
      return r.body.data.length === 4;
    });
    const r = await call(`${gw.url}/v1/jobs/${id}/webhooks`, { key });
    for (const a of r.body.data) {
      assert.equal(a.status, 302);
      assert.equal(a.error.code, 'redirect');
    }
    assert.equal(r.body.data[3].outcome, 'dead');
  });
});
