import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createCipher } from '@gateway/governance';
import { WebhookEndpointStore, WebhookKeys } from '@gateway/webhooks';
import { Redis } from 'ioredis';
import { testInfra } from '../support/repo';

/** Every stored secret of a raw endpoint or tenant-secret record. */
const storedSecrets = (raw: string) => {
  const r = JSON.parse(raw) as { secret: string; previousSecret?: string };
  return [r.secret, ...(r.previousSecret ? [r.previousSecret] : [])];
};

describe('webhook signing secrets at rest', () => {
  let redis: Redis;
  const keys = new WebhookKeys(`whsec${randomBytes(4).toString('hex')}`);
  const cipher = createCipher(randomBytes(32).toString('base64'));
  let store: WebhookEndpointStore;

  before(() => {
    redis = new Redis(testInfra().redisUrl);
    store = new WebhookEndpointStore(redis, keys, cipher);
  });
  after(async () => {
    const stale = await redis.keys(`${keys.prefix}:*`);
    if (stale.length) await redis.del(...stale);
    redis.disconnect();
  });

  it('stores endpoint and tenant secrets encrypted, and reads them back', async () => {
    const ep = await store.create('acme', { url: 'https://example.com/h', events: ['job.failed'] });
    assert.match(ep.secret, /^whsec_/);
    const raw = (await redis.get(keys.endpoint(ep.id)))!;
    assert.ok(!raw.includes('whsec_'), raw);
    assert.ok(!raw.includes(ep.secret.slice('whsec_'.length)), 'no part of the secret in clear');
    for (const s of storedSecrets(raw)) assert.match(s, /^v1\./);
    assert.equal((await store.get(ep.id))?.secret, ep.secret);
    assert.equal((await store.list('acme'))[0].secret, ep.secret);

    const rotated = (await store.rotate('acme', ep.id, 3600))!;
    const rawRotated = (await redis.get(keys.endpoint(ep.id)))!;
    assert.ok(!rawRotated.includes('whsec_'), rawRotated);
    assert.equal(storedSecrets(rawRotated).length, 2);
    const read = (await store.get(ep.id))!;
    assert.equal(read.secret, rotated.secret);
    assert.equal(read.previousSecret, ep.secret);

    const tenant = await store.tenantSecret('acme');
    assert.match(tenant.secret, /^whsec_/);
    assert.ok(!(await redis.get(keys.tenantSecret('acme')))!.includes('whsec_'));
    assert.equal((await store.tenantSecret('acme')).secret, tenant.secret, 'stable once created');
    const next = await store.rotateTenantSecret('acme', 60);
    const rawTenant = (await redis.get(keys.tenantSecret('acme')))!;
    assert.ok(!rawTenant.includes('whsec_'), rawTenant);
    const now = await store.tenantSecret('acme');
    assert.deepEqual([now.secret, now.previousSecret], [next.secret, tenant.secret]);
  });

  it('keeps reading secrets stored in clear, and encrypts them at the next rotation', async () => {
    const clear = {
      id: 'wh_legacy1',
      tenantId: 'acme',
      url: 'https://example.com/old',
      events: ['job.succeeded'],
      description: null,
      createdAt: new Date().toISOString(),
      secret: 'whsec_' + randomBytes(24).toString('base64'),
    };
    await redis.set(keys.endpoint(clear.id), JSON.stringify(clear));
    await redis.sadd(keys.tenantEndpoints('acme'), clear.id);
    await redis.set(keys.tenantSecret('globex'), JSON.stringify({ secret: clear.secret }));
    assert.equal((await store.get(clear.id))?.secret, clear.secret);
    assert.ok((await store.list('acme')).some((e) => e.secret === clear.secret));
    assert.equal((await store.tenantSecret('globex')).secret, clear.secret);

    await store.rotate('acme', clear.id, 3600);
    const raw = (await redis.get(keys.endpoint(clear.id)))!;
    assert.ok(!raw.includes('whsec_'), raw);
    assert.equal((await store.get(clear.id))?.previousSecret, clear.secret);
  });

  it("refuses a secret moved to another endpoint's record, and names the fix without a key", async () => {
    const a = await store.create('acme', { url: 'https://example.com/a', events: ['job.failed'] });
    const b = await store.create('acme', { url: 'https://example.com/b', events: ['job.failed'] });
    const rawA = JSON.parse((await redis.get(keys.endpoint(a.id)))!) as { secret: string };
    const rawB = JSON.parse((await redis.get(keys.endpoint(b.id)))!) as Record<string, unknown>;
    await redis.set(keys.endpoint(b.id), JSON.stringify({ ...rawB, secret: rawA.secret }));
    await assert.rejects(store.get(b.id), /failed authentication/);

    const keyless = new WebhookEndpointStore(redis, keys);
    await assert.rejects(keyless.get(a.id), /set GATEWAY_ENCRYPTION_KEY/);
  });
});
