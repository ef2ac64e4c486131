import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { deliverWebhook, generateWebhookSecret, signDelivery } from '@gateway/webhooks';

interface Verified {
  readonly headers: IncomingHttpHeaders;
  readonly payload: unknown;
}

/**
 * A loopback receiver that checks every request with the reference library, the way a
 * customer's endpoint would: 204 when the signature verifies, 401 otherwise.
 */
async function startVerifyingReceiver(secret: string) {
  const verified: Verified[] = [];
  let rejected = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        const payload = new Webhook(secret).verify(raw, req.headers as Record<string, string>);
        verified.push({ headers: req.headers, payload });
        res.writeHead(204).end();
      } catch {
        rejected += 1;
        res.writeHead(401).end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/gateway`,
    allowHosts: [`127.0.0.1:${port}`],
    verified,
    rejected: () => rejected,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

type Receiver = Awaited<ReturnType<typeof startVerifyingReceiver>>;

void describe('webhook signing, verified by a receiver using the standardwebhooks library', () => {
  const receivers: Receiver[] = [];
  const start = async (secret: string) => {
    const receiver = await startVerifyingReceiver(secret);
    receivers.push(receiver);
    return receiver;
  };
  after(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  const payload = { type: 'job.succeeded', data: { id: 'job_42', output: { summary: 'héllo ✓' } } };
  const body = JSON.stringify(payload);

  void it('delivers a signed body the receiver verifies byte for byte', async () => {
    const secret = generateWebhookSecret();
    const receiver = await start(secret);
    const headers = signDelivery({
      id: 'msg_signed_1',
      timestamp: new Date(),
      body,
      secrets: [secret],
    });

    const result = await deliverWebhook({
      url: receiver.url,
      body,
      headers,
      allowHosts: receiver.allowHosts,
    });

    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.status, 204);
    assert.equal(receiver.verified.length, 1);
    assert.deepEqual(receiver.verified[0]?.payload, payload);
    assert.equal(receiver.verified[0]?.headers['webhook-id'], 'msg_signed_1');
    assert.equal(receiver.verified[0]?.headers['content-type'], 'application/json');
    assert.match(receiver.verified[0]?.headers['user-agent'] ?? '', /AI-Gateway/);
  });

  void it('during rotation, a receiver knowing only the old secret and one knowing only the new both verify', async () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    const knowsOld = await start(oldSecret);
    const knowsNew = await start(newSecret);
    const headers = signDelivery({
      id: 'msg_rotation',
      timestamp: new Date(),
      body,
      secrets: [newSecret, oldSecret],
    });

    for (const receiver of [knowsOld, knowsNew]) {
      const result = await deliverWebhook({
        url: receiver.url,
        body,
        headers,
        allowHosts: receiver.allowHosts,
      });
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(receiver.verified.length, 1);
      assert.equal(receiver.rejected(), 0);
    }
  });

  void it('a receiver with a secret the gateway did not sign with rejects the delivery', async () => {
    const receiver = await start(generateWebhookSecret());
    const headers = signDelivery({
      id: 'msg_wrong_key',
      timestamp: new Date(),
      body,
      secrets: [generateWebhookSecret(), generateWebhookSecret()],
    });

    const result = await deliverWebhook({
      url: receiver.url,
      body,
      headers,
      allowHosts: receiver.allowHosts,
    });

    assert.equal(result.ok, false);
    assert.equal(result.status, 401);
    assert.equal(result.error?.code, 'http_status');
    assert.equal(receiver.verified.length, 0);
    assert.equal(receiver.rejected(), 1);
  });

  void it('a retry re-signed with a fresh timestamp keeps the id and still verifies', async () => {
    const secret = generateWebhookSecret();
    const receiver = await start(secret);
    const earlier = Math.floor(Date.now() / 1000) - 120;
    for (const timestamp of [earlier, Math.floor(Date.now() / 1000)]) {
      const headers = signDelivery({ id: 'msg_retry', timestamp, body, secrets: [secret] });
      const result = await deliverWebhook({
        url: receiver.url,
        body,
        headers,
        allowHosts: receiver.allowHosts,
      });
      assert.equal(result.ok, true, JSON.stringify(result));
    }
    assert.deepEqual(
      receiver.verified.map((v) => v.headers['webhook-id']),
      ['msg_retry', 'msg_retry'],
    );
    assert.notEqual(
      receiver.verified[0]?.headers['webhook-timestamp'],
      receiver.verified[1]?.headers['webhook-timestamp'],
    );
  });

  void it('a body altered after signing fails verification at the receiver', async () => {
    const secret = generateWebhookSecret();
    const receiver = await start(secret);
    const headers = signDelivery({
      id: 'msg_tamper',
      timestamp: new Date(),
      body,
      secrets: [secret],
    });
    const tampered = body.replace('job_42', 'job_43');

    const result = await deliverWebhook({
      url: receiver.url,
      body: tampered,
      headers,
      allowHosts: receiver.allowHosts,
    });

    assert.equal(result.status, 401);
    assert.equal(receiver.rejected(), 1);
  });
});
