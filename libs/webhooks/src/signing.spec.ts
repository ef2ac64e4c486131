import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, isWebhookSecret, signDelivery } from './signing';

const body = JSON.stringify({ type: 'job.succeeded', data: { id: 'job_1' } });

void describe('generateWebhookSecret', () => {
  void it('makes distinct whsec_ secrets carrying 32 random bytes', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    assert.notEqual(a, b);
    assert.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(a.slice(6), 'base64').length, 32);
    assert.ok(isWebhookSecret(a));
  });
});

void describe('isWebhookSecret', () => {
  void it('rejects a missing prefix, bad base64 and keys outside 24-64 bytes', () => {
    const key = (n: number) => Buffer.alloc(n, 7).toString('base64');
    assert.ok(isWebhookSecret(`whsec_${key(24)}`));
    assert.ok(isWebhookSecret(`whsec_${key(64)}`));
    assert.equal(isWebhookSecret(key(32)), false);
    assert.equal(isWebhookSecret('whsec_'), false);
    assert.equal(isWebhookSecret(`whsec_${key(23)}`), false);
    assert.equal(isWebhookSecret(`whsec_${key(65)}`), false);
    assert.equal(isWebhookSecret(`whsec_${key(32).slice(0, -1)}!`), false);
  });
});

void describe('signDelivery', () => {
  void it('produces headers the reference library verifies', () => {
    const secret = generateWebhookSecret();
    const headers = signDelivery({ id: 'msg_1', timestamp: new Date(), body, secrets: [secret] });
    assert.equal(headers['webhook-id'], 'msg_1');
    assert.match(headers['webhook-timestamp'], /^\d{10}$/);
    assert.match(headers['webhook-signature'], /^v1,[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(new Webhook(secret).verify(body, { ...headers }), JSON.parse(body));
  });

  void it('adds one v1 entry per secret so either side of a rotation verifies', () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = signDelivery({
      id: 'msg_2',
      timestamp: new Date(),
      body,
      secrets: [newSecret, oldSecret],
    });
    assert.equal(headers['webhook-signature'].split(' ').length, 2);
    for (const secret of [oldSecret, newSecret]) new Webhook(secret).verify(body, { ...headers });
    assert.throws(
      () => new Webhook(generateWebhookSecret()).verify(body, { ...headers }),
      /No matching signature/,
    );
  });

  void it('signs a Date and the same instant in Unix seconds identically', () => {
    const secrets = [generateWebhookSecret()];
    const fromDate = signDelivery({
      id: 'm',
      timestamp: new Date(1_700_000_000_900),
      body,
      secrets,
    });
    const fromSeconds = signDelivery({ id: 'm', timestamp: 1_700_000_000, body, secrets });
    assert.deepEqual(fromDate, fromSeconds);
    assert.equal(fromSeconds['webhook-timestamp'], '1700000000');
  });

  void it('binds the signature to the id, timestamp and body', () => {
    const secret = generateWebhookSecret();
    const headers = signDelivery({ id: 'msg_3', timestamp: new Date(), body, secrets: [secret] });
    const wh = new Webhook(secret);
    assert.throws(() => wh.verify(`${body} `, { ...headers }));
    assert.throws(() => wh.verify(body, { ...headers, 'webhook-id': 'msg_4' }));
    const shifted = String(Number(headers['webhook-timestamp']) - 1);
    assert.throws(() => wh.verify(body, { ...headers, 'webhook-timestamp': shifted }));
  });

  void it('refuses bad input without echoing the secret', () => {
    const good = generateWebhookSecret();
    const now = new Date();
    assert.throws(
      () => signDelivery({ id: 'm', timestamp: now, body, secrets: [] }),
      /at least one secret/,
    );
    assert.throws(
      () => signDelivery({ id: 'm', timestamp: now, body, secrets: [good, 'whsec_short'] }),
      (err: Error) => /secrets\[1\]/.test(err.message) && !err.message.includes('short'),
    );
    assert.throws(
      () => signDelivery({ id: '', timestamp: now, body, secrets: [good] }),
      /id must be/,
    );
    assert.throws(
      () => signDelivery({ id: 'a b', timestamp: now, body, secrets: [good] }),
      /id must be/,
    );
    assert.throws(
      () => signDelivery({ id: 'm', timestamp: Date.now(), body, secrets: [good] }),
      /milliseconds/,
    );
    assert.throws(
      () => signDelivery({ id: 'm', timestamp: new Date(NaN), body, secrets: [good] }),
      RangeError,
    );
  });
});
