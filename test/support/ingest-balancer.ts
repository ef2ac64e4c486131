import {
  Agent,
  createServer,
  request,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** An ingest process the balancer may send requests to. */
export interface Upstream {
  readonly name: string;
  readonly port: number;
}

/**
 * A round-robin HTTP load balancer on loopback, in front of the ingest processes of a
 * scaled-out test gateway (`GATEWAY_TEST_SCALE`). Each request (not each connection: clients
 * keep connections alive) goes to the next live process, so one test's requests really
 * reach every replica. Bodies and answers are streamed (SSE, long polls, a body refused on
 * its declared size, whose rest the balancer drops), and a client that goes away aborts its
 * upstream request, as a real load balancer does.
 */
export class IngestBalancer {
  private readonly counts = new Map<string, number>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 512 });
  private next = 0;
  private readonly server = createServer((req, res) => {
    const live = this.upstreams();
    if (!live.length) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'bad_gateway', message: 'no ingest process' } }));
      return;
    }
    const target = live[this.next++ % live.length];
    this.counts.set(target.name, (this.counts.get(target.name) ?? 0) + 1);
    const upstream = request({
      host: '127.0.0.1',
      port: target.port,
      method: req.method,
      path: req.url,
      headers: withoutHopHeaders(req.headers),
      agent: this.agent,
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, withoutHopHeaders(answer.headers));
      res.flushHeaders();
      answer.pipe(res);
      // Answered before the body was all forwarded (a 413 on its declared size): stop
      // forwarding and drop the rest here, so the client's connection stays usable.
      answer.once('end', () => {
        if (req.complete) return;
        req.unpipe(upstream);
        upstream.destroy();
        req.resume();
      });
    });
    upstream.on('error', (err) => {
      // After the whole answer went out, a late upstream error changes nothing for the client.
      if (res.writableFinished) return;
      if (res.headersSent) res.destroy();
      else {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'bad_gateway', message: err.message } }));
      }
    });
    // The client gone before the answer ended: the ingest process sees the disconnect too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });

  /** `upstreams` is asked per request: the processes alive and ready at that moment. */
  constructor(private readonly upstreams: () => readonly Upstream[]) {}

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Requests forwarded so far, per ingest process name. */
  requestsPerProcess(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    this.agent.destroy();
  }
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade']);

function withoutHopHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k)));
}
