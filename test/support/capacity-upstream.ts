/**
 * A capacity-limited model server speaking OpenAI's chat wire format, for backpressure tests
 * and the bench: at most `capacity` calls are served at once (shared by every client, unlike
 * the local provider's per-process simulation); beyond it the server answers 429 with
 * Retry-After at once; latency rises with load (the local provider's algorithm:
 * base × (1 + loadLatencyFactor × inFlight / capacity)). It counts what a bench needs:
 * calls, 429s, peak concurrency, and busy time of successful calls (goodput).
 *
 *   const up = await startCapacityUpstream({ capacity: 8, latencyMs: 40 });
 *   providers: [{ id: up, type: openai-compatible, baseUrl: up.baseUrl }]
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapacityUpstreamOptions {
  capacity: number;
  latencyMs: number;
  loadLatencyFactor?: number;
  /** Retry-After of a capacity 429, ms (sent as `retry-after-ms` and rounded-up `retry-after`). */
  retryAfterMs?: number;
  /** Answer 500 to every call while true (circuit breaker tests). */
  failing?: boolean;
}

export interface UpstreamCounters {
  calls: number;
  ok: number;
  throttled: number;
  failed: number;
  peakInFlight: number;
  /** Sum of the durations of successful calls, ms (goodput = busyMs / (capacity × wall)). */
  busyMs: number;
}

export interface CapacityUpstream {
  readonly baseUrl: string;
  readonly options: CapacityUpstreamOptions;
  readonly counters: UpstreamCounters;
  inFlight(): number;
  reset(): void;
  close(): Promise<void>;
}

const fresh = (): UpstreamCounters => ({
  calls: 0,
  ok: 0,
  throttled: 0,
  failed: 0,
  peakInFlight: 0,
  busyMs: 0,
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (s += c));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startCapacityUpstream(
  options: CapacityUpstreamOptions,
): Promise<CapacityUpstream> {
  let inFlight = 0;
  let counters = fresh();
  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      if (req.url !== '/v1/chat/completions') return json(res, 404, { error: { message: 'nf' } });
      counters.calls++;
      const o = options;
      if (o.failing) {
        counters.failed++;
        return json(res, 500, { error: { message: 'upstream failure', type: 'server_error' } });
      }
      if (inFlight >= o.capacity) {
        counters.throttled++;
        const ms = o.retryAfterMs ?? 200;
        return json(
          res,
          429,
          { error: { message: 'Too many concurrent requests', type: 'rate_limit_exceeded' } },
          { 'retry-after-ms': String(ms), 'retry-after': String(Math.ceil(ms / 1000)) },
        );
      }
      const started = Date.now();
      const latency = o.latencyMs * (1 + ((o.loadLatencyFactor ?? 0) * inFlight) / o.capacity);
      inFlight++;
      counters.peakInFlight = Math.max(counters.peakInFlight, inFlight);
      await new Promise((r) => setTimeout(r, latency));
      inFlight--;
      counters.ok++;
      counters.busyMs += Date.now() - started;
      const body = JSON.parse(raw || '{}') as { model?: string };
      json(res, 200, {
        id: `chatcmpl-${counters.calls}`,
        object: 'chat.completion',
        created: Math.floor(started / 1000),
        model: body.model ?? 'capacity',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
      });
    })().catch(() => res.destroy());
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    options,
    get counters() {
      return counters;
    },
    inFlight: () => inFlight,
    reset: () => (counters = fresh()),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
