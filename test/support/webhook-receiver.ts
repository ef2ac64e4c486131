import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A loopback webhook receiver. Each path answers by its own rule: `/ok` 200, `/flaky` 500
 * for the first three calls then 200, `/down` 500 until `recover()`, `/redirect` a 302 to
 * `redirectTo`; anything else 404.
 */
export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  private server: Server | undefined;
  private flakyCalls = 0;
  private downRecovered = false;
  port = 0;

  constructor(private readonly redirectTo = 'http://127.0.0.1:9/') {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0];
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.statusCode = this.statusFor(path, res);
        res.end('{}');
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  on(path: string): ReceivedHook[] {
    return this.received.filter((r) => r.path === path);
  }

  recover(): void {
    this.downRecovered = true;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    this.server?.close();
  }

  private statusFor(path: string, res: { setHeader(n: string, v: string): void }): number {
    if (path.startsWith('/ok')) return 200;
    if (path === '/flaky') return ++this.flakyCalls <= 3 ? 500 : 200;
    if (path === '/down') return this.downRecovered ? 200 : 500;
    if (path === '/redirect') {
      res.setHeader('location', this.redirectTo);
      return 302;
    }
    return 404;
  }
}

/** Polls `pred` every 100 ms until it holds, or throws naming `what` after `timeoutMs`. */
export async function until(
  what: string,
  pred: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
