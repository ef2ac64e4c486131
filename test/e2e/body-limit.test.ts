import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startGateway, type Gateway } from '../support/gateway-harness';

const CONFIG = `
providers:
  - { id: local, type: local }
deployments:
  - { id: local-llm, provider: local, model: tiny, class: llm, tasks: [summarize], region: local }
routes:
  - { match: { task: summarize }, strategy: priority, targets: [local-llm] }
tenants:
  - { id: acme }
`;
const LIMIT = 64 * 1024;

/** Reads HTTP/1.1 answers with a Content-Length off one socket, in order. */
class RawConnection {
  private buf = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  closedAt: number | undefined;

  constructor(readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiting?.();
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      this.closedAt = Date.now();
      this.waiting?.();
    });
  }

  static open(url: string): Promise<RawConnection> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const sock = connect(Number(u.port), u.hostname, () => resolve(new RawConnection(sock)));
      sock.once('error', reject);
    });
  }

  async answer(timeoutMs = 10_000): Promise<{ status: number; head: string; body: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.buf.subarray(0, end).toString();
        const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (this.buf.length >= end + 4 + len) {
          const body = this.buf.subarray(end + 4, end + 4 + len).toString();
          this.buf = this.buf.subarray(end + 4 + len);
          return { status: Number(head.split(' ')[1]), head, body };
        }
      }
      if (this.closedAt !== undefined) throw new Error('closed before a whole answer');
      if (Date.now() > deadline) throw new Error('no whole answer in time');
      await new Promise<void>((r) => {
        this.waiting = r;
        setTimeout(r, 50);
      });
    }
  }
}

describe('request bodies over the limit', () => {
  let gw: Gateway;
  let key: string;

  before(async () => {
    gw = await startGateway({
      config: CONFIG,
      apps: ['ingest-api'],
      env: { BODY_LIMIT_BYTES: String(LIMIT) },
    });
    key = await gw.tenantKey('acme', undefined, true);
  });
  after(async () => {
    await gw?.stop();
  });

  it('answer 413 to a client still writing a body far over the limit, never a reset', async () => {
    const body = JSON.stringify({ task: 'summarize', input: { text: 'x'.repeat(4 << 20) } });
    const outcomes: Array<number | string> = [];
    for (let i = 0; i < 12; i++) {
      outcomes.push(
        await fetch(`${gw.url}/v1/jobs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body,
        }).then(
          async (r) => {
            const j = (await r.json()) as { error: { code: string } };
            return `${r.status} ${j.error.code}`;
          },
          (e: Error & { cause?: { code?: string } }) => e.cause?.code ?? e.message,
        ),
      );
    }
    assert.deepEqual(outcomes, Array(12).fill('413 payload_too_large'));
  });

  it('answer 413 to a chunked body once it passes the limit', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent === 0)
          c.enqueue(new TextEncoder().encode('{"task":"summarize","input":{"text":"'));
        if (sent++ < 256) c.enqueue(chunk);
        else c.close();
      },
    });
    const r = await fetch(`${gw.url}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    });
    assert.equal(r.status, 413);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'payload_too_large');
  });

  it('keep the connection for the next request once the refused body has arrived', async () => {
    const conn = await RawConnection.open(gw.url);
    const host = new URL(gw.url).host;
    const payload = 'y'.repeat(LIMIT * 3);
    conn.sock.write(
      `POST /v1/jobs HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${key}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n${payload}`,
    );
    const refused = await conn.answer();
    assert.equal(refused.status, 413);
    assert.equal(JSON.parse(refused.body).error.code, 'payload_too_large');
    assert.doesNotMatch(refused.head, /connection:\s*close/i);
    conn.sock.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    const next = await conn.answer();
    assert.equal(next.status, 200, 'the same connection serves the next request');
    conn.sock.destroy();
  });

  it('close a connection whose announced body does not arrive, a few seconds after the 413', async () => {
    const conn = await RawConnection.open(gw.url);
    const host = new URL(gw.url).host;
    conn.sock.write(
      `POST /v1/jobs HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${key}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${1 << 30}\r\n\r\n{"task":`,
    );
    const refused = await conn.answer();
    const answeredAt = Date.now();
    assert.equal(refused.status, 413);
    // Still writing: the server reads and drops what comes instead of resetting the socket.
    conn.sock.write('z'.repeat(256 * 1024));
    await new Promise<void>((r) => {
      const poll = setInterval(() => {
        if (conn.closedAt !== undefined || Date.now() - answeredAt > 15_000) {
          clearInterval(poll);
          r();
        }
      }, 50);
    });
    assert.ok(conn.closedAt !== undefined, 'the server closes the connection');
    const after = conn.closedAt - answeredAt;
    assert.ok(after >= 4_000 && after < 8_000, `closed ${after} ms after the answer`);
  });
});
