import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { deliverWebhook, WEBHOOK_USER_AGENT } from '@gateway/webhooks';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Runs `fn` against a loopback receiver and always closes it, even if `fn` throws. */
async function withReceiver(
  answer: RequestListener,
  fn: (r: { url: string; allowHosts: string[]; received: Received[] }) => Promise<void>,
) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(req, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    await fn({
      url: `http://127.0.0.1:${port}/hooks/in?tenant=acme`,
      allowHosts: [`127.0.0.1:${port}`],
      received,
    });
  } finally {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
}

const body = JSON.stringify({ type: 'job.failed', data: { id: 'job_7' } });
const signatureHeaders = {
  'webhook-id': 'msg_7',
  'webhook-timestamp': '1700000000',
  'webhook-signature': 'v1,abc',
};

void describe('deliverWebhook against loopback receivers', () => {
  for (const status of [200, 201, 202, 204]) {
    void it(`a ${status} answer is a delivery`, async () => {
      await withReceiver(
        (_req, res) => res.writeHead(status).end(),
        async ({ url, allowHosts, received }) => {
          const result = await deliverWebhook({ url, body, headers: signatureHeaders, allowHosts });
          assert.deepEqual(
            { ok: result.ok, status: result.status, error: result.error },
            { ok: true, status, error: undefined },
          );
          assert.equal(received.length, 1);
        },
      );
    });
  }

  void it('POSTs the exact JSON body to the path and query, with the signature headers', async () => {
    await withReceiver(
      (_req, res) => res.writeHead(200).end('thanks'),
      async ({ url, allowHosts, received }) => {
        const headers = {
          ...signatureHeaders,
          'Content-Type': 'text/plain',
          'User-Agent': 'spoofed',
        };
        await deliverWebhook({ url, body, headers, allowHosts });
        const [request] = received;
        assert.ok(request);
        assert.equal(request.method, 'POST');
        assert.equal(request.url, '/hooks/in?tenant=acme');
        assert.equal(request.body, body);
        assert.equal(request.headers['content-type'], 'application/json');
        assert.equal(request.headers['user-agent'], WEBHOOK_USER_AGENT);
        assert.match(WEBHOOK_USER_AGENT, /AI-Gateway/);
        assert.equal(request.headers['webhook-id'], 'msg_7');
        assert.equal(request.headers['webhook-timestamp'], '1700000000');
        assert.equal(request.headers['webhook-signature'], 'v1,abc');
      },
    );
  });

  for (const status of [500, 503, 404, 410]) {
    void it(`a ${status} answer fails the attempt and reports the status`, async () => {
      await withReceiver(
        (_req, res) => res.writeHead(status, { 'content-type': 'text/plain' }).end('nope'),
        async ({ url, allowHosts }) => {
          const result = await deliverWebhook({ url, body, headers: signatureHeaders, allowHosts });
          assert.equal(result.ok, false);
          assert.equal(result.status, status);
          assert.equal(result.error?.code, 'http_status');
          assert.match(result.error?.message ?? '', new RegExp(String(status)));
        },
      );
    });
  }

  void it('measures latency as the time the receiver took', async () => {
    await withReceiver(
      (_req, res) => setTimeout(() => res.writeHead(204).end(), 150),
      async ({ url, allowHosts }) => {
        const result = await deliverWebhook({ url, body, headers: signatureHeaders, allowHosts });
        assert.equal(result.ok, true);
        assert.ok(
          result.latencyMs >= 140 && result.latencyMs < 2000,
          `latency ${result.latencyMs}`,
        );
      },
    );
  });

  void it('a receiver that never answers fails with "timeout" after timeoutMs', async () => {
    await withReceiver(
      () => undefined,
      async ({ url, allowHosts, received }) => {
        const result = await deliverWebhook({
          url,
          body,
          headers: signatureHeaders,
          allowHosts,
          timeoutMs: 300,
        });
        assert.equal(result.ok, false);
        assert.equal(result.status, undefined);
        assert.equal(result.error?.code, 'timeout');
        assert.ok(
          result.latencyMs >= 290 && result.latencyMs < 1500,
          `latency ${result.latencyMs}`,
        );
        assert.equal(received.length, 1);
      },
    );
  });

  void it("the caller's signal aborts an attempt in flight", async () => {
    await withReceiver(
      () => undefined,
      async ({ url, allowHosts }) => {
        const result = await deliverWebhook({
          url,
          body,
          headers: signatureHeaders,
          allowHosts,
          timeoutMs: 5000,
          signal: AbortSignal.timeout(100),
        });
        assert.equal(result.error?.code, 'aborted');
        assert.ok(result.latencyMs < 2000, `latency ${result.latencyMs}`);
      },
    );
  });

  void it('reads only a small part of an endless response body, then moves on', async () => {
    await withReceiver(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(16 * 1024, 120);
        let sent = 0;
        // Bounded: at most 4,000 chunks (64 MiB), stopped as soon as the client goes away.
        const timer = setInterval(() => {
          if (res.destroyed || sent >= 4000) {
            clearInterval(timer);
            res.destroy();
            return;
          }
          sent += 1;
          res.write(chunk);
        }, 1);
        res.on('close', () => clearInterval(timer));
      },
      async ({ url, allowHosts }) => {
        const result = await deliverWebhook({
          url,
          body,
          headers: signatureHeaders,
          allowHosts,
          timeoutMs: 5000,
        });
        assert.equal(result.ok, true);
        assert.ok(result.latencyMs < 2000, `latency ${result.latencyMs}`);
      },
    );
  });

  void it('a refused connection is a failed attempt with a network error', async () => {
    // Take a free loopback port and close it again, so nothing listens there.
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    probe.close();
    await once(probe, 'close');

    const result = await deliverWebhook({
      url: `http://127.0.0.1:${port}/`,
      body,
      headers: signatureHeaders,
      allowHosts: [`127.0.0.1:${port}`],
      timeoutMs: 2000,
    });
    assert.equal(result.ok, false);
    assert.equal(result.error?.code, 'network_error');
    assert.match(result.error?.message ?? '', /ECONNREFUSED/);
  });
});
