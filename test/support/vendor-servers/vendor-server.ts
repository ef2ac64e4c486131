/**
 * The shared core of the vendor test servers (node:http on 127.0.0.1, a free port).
 *
 * Each vendor file (`openai.server.ts`, `anthropic.server.ts`, ...) supplies a behaviour:
 * the default answer of a fake model, and the vendor's documented error responses. This core
 * records every request, lets a test queue responses (`script`, `scriptError`), rejects API
 * keys on demand (`rejectKey`, for key-rotation tests), and notices when a client abandons
 * a request (`nextAbandoned`, for cancellation tests).
 *
 * Magic values in a request body also pick the answer, for tests that cannot reach the
 * server object (e.g. jobs routed through the queue): `__status_429__` answers the vendor's
 * 429, `__status_429_insufficient_quota__` a named variant, `__hang__` never answers.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Parsed JSON from a request or fixture: the servers read vendors' bodies loosely on purpose. */

export type Json = any;

export interface RecordedRequest {
  readonly method: string;
  /** The path as sent, still percent-encoded. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** The body parsed as JSON, or undefined. */
  readonly body: Json;
  readonly rawBody: string;
  /** The client's port: equal for requests sent on one kept-alive connection. */
  readonly remotePort: number | undefined;
}

export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  /** Written one by one (SSE text or binary event-stream frames), `chunkDelayMs` apart. */
  chunks?: (string | Uint8Array)[];
  chunkDelayMs?: number;
  /** Never answer; the socket stays open until the client gives up. */
  hang?: boolean;
  /** Cut the connection after the chunks instead of ending the response. */
  cut?: boolean;
}

export interface VendorBehaviour {
  /** The fake model's answer to a request the test did not script. */
  respond(req: RecordedRequest): ScriptedResponse;
  /** The vendor's documented error response for an HTTP status (and a named variant). */
  error(status: number, variant?: string, req?: RecordedRequest): ScriptedResponse;
  /** The API key a request carries, for `rejectKey`. */
  keyOf?(req: RecordedRequest): string | undefined;
  /** Async work on a request before it is answered (e.g. checking a signature). */
  prepare?(req: RecordedRequest): Promise<void>;
  /** The answer to a rejected key, when it is not the vendor's 401 (Gemini answers 400). */
  rejectedKey?(req: RecordedRequest): ScriptedResponse;
}

export interface VendorServer {
  /** `http://127.0.0.1:<port>`: the host root; add the vendor's path prefix where its SDK does. */
  readonly url: string;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** Queues answers for the next requests, in order, ahead of the fake model. */
  script(...responses: ScriptedResponse[]): void;
  /** Queues the vendor's documented error for a status. */
  scriptError(status: number, variant?: string): void;
  /** Answers requests carrying this key as the vendor answers a bad key (its 401 body). */
  rejectKey(key: string): void;
  /** Writes the chunks of streamed answers this far apart (to cancel mid-stream). */
  setChunkDelay(ms: number): void;
  /** Resolves with the next request received. */
  nextRequest(): Promise<RecordedRequest>;
  /** Resolves when the client closes a connection before the answer was complete. */
  nextAbandoned(): Promise<RecordedRequest>;
  /** Forgets scripts, rejected keys and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

function waiterList<T>() {
  const waiting: ((v: T) => void)[] = [];
  const ready: T[] = [];
  return {
    push(v: T) {
      const w = waiting.shift();
      if (w) w(v);
      else ready.push(v);
    },
    next(): Promise<T> {
      const v = ready.shift();
      return v !== undefined ? Promise.resolve(v) : new Promise((resolve) => waiting.push(resolve));
    },
    clear() {
      ready.length = 0;
    },
  };
}

const MAGIC = /__status_(\d{3})(?:_([a-z_]+?))?__/;

export async function startVendorServer(behaviour: VendorBehaviour): Promise<VendorServer> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedResponse[] = [];
  const rejected = new Set<string>();
  let chunkDelayMs = 0;
  const received = waiterList<RecordedRequest>();
  const abandoned = waiterList<RecordedRequest>();

  const pick = (req: RecordedRequest): ScriptedResponse => {
    const key = behaviour.keyOf?.(req);
    if (key !== undefined && rejected.has(key)) {
      return behaviour.rejectedKey?.(req) ?? behaviour.error(401, undefined, req);
    }
    const scripted = queue.shift();
    if (scripted) return scripted;
    if (req.rawBody.includes('__hang__')) return { hang: true };
    const magic = MAGIC.exec(req.rawBody);
    if (magic) return behaviour.error(Number(magic[1]), magic[2], req);
    return behaviour.respond(req);
  };

  const write = async (res: ServerResponse, r: ScriptedResponse) => {
    if (r.hang) return;
    const headers: Record<string, string> = { ...r.headers };
    if (r.json !== undefined) headers['content-type'] ??= 'application/json';
    res.writeHead(r.status ?? 200, headers);
    if (r.json !== undefined) res.write(JSON.stringify(r.json));
    for (const chunk of r.chunks ?? []) {
      if (res.destroyed) return;
      res.write(chunk);
      const delay = r.chunkDelayMs ?? chunkDelayMs;
      if (delay) await new Promise((ok) => setTimeout(ok, delay));
    }
    if (r.cut) res.socket?.destroy();
    else res.end();
  };

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(parts).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://test');
      let body: unknown;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = undefined;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0],
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        rawBody,
        remotePort: req.socket.remotePort,
      };
      requests.push(recorded);
      res.on('close', () => {
        if (!res.writableFinished) abandoned.push(recorded);
      });
      received.push(recorded);
      void (behaviour.prepare?.(recorded) ?? Promise.resolve()).then(() =>
        write(res, pick(recorded)),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...r) => queue.push(...r),
    scriptError: (status, variant) => queue.push(behaviour.error(status, variant)),
    rejectKey: (key) => rejected.add(key),
    setChunkDelay: (ms) => (chunkDelayMs = ms),
    nextRequest: () => received.next(),
    nextAbandoned: () => abandoned.next(),
    reset() {
      queue.length = 0;
      rejected.clear();
      chunkDelayMs = 0;
      requests.length = 0;
      received.clear();
      abandoned.clear();
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** A fixture keyed `"<status>"` or `"<status>_<variant>"`, falling back to the 500 one. */
export function errorFixture<T>(
  fixtures: Readonly<Record<string, T>>,
  status: number,
  variant?: string,
): T {
  return (
    fixtures[variant ? `${status}_${variant}` : String(status)] ??
    fixtures[String(status)] ??
    fixtures['500']
  );
}

/** One SSE frame: `event:` (when named) and `data:` lines and the blank line. */
export function sse(data: unknown, event?: string): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ''}data: ${text}\n\n`;
}
