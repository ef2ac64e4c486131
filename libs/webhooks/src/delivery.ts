import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { createPinnedAgent } from './pinned-agent';
import { vetWebhookUrl, type HostLookup, type VetErrorCode } from './ssrf-guard';

export type DeliveryErrorCode =
  | VetErrorCode
  /** The receiver answered 3xx; redirects are never followed. */
  | 'redirect'
  /** The receiver answered something other than 2xx or 3xx. */
  | 'http_status'
  | 'timeout'
  /** The caller's signal aborted the attempt (e.g. shutdown). */
  | 'aborted'
  /** Connection refused or reset, TLS failure, malformed response... */
  | 'network_error';

export interface DeliverWebhookInput {
  readonly url: string;
  /** JSON text, exactly as signed. */
  readonly body: string;
  /** Usually the output of signDelivery(); content-type and user-agent are set here. */
  readonly headers: Readonly<Record<string, string>>;
  /** Bound on the whole attempt: resolving, connecting, sending and reading. */
  readonly timeoutMs?: number;
  readonly allowHosts: readonly string[];
  readonly signal?: AbortSignal;
  /** Resolver override, for tests. */
  readonly lookup?: HostLookup;
}

export interface DeliveryResult {
  /** True only for a 2xx answer. */
  readonly ok: boolean;
  readonly status?: number;
  /** Wall time of the whole attempt, vetting included. */
  readonly latencyMs: number;
  readonly error?: { readonly code: DeliveryErrorCode; readonly message: string };
}

export const WEBHOOK_USER_AGENT = 'AI-Gateway-Webhooks/1.0';
const DEFAULT_TIMEOUT_MS = 10_000;
/** Receivers' answers are not used; read a little so the exchange completes, then drop it. */
const RESPONSE_READ_CAP_BYTES = 64 * 1024;

/** Headers this module owns; a caller's copy (in any letter case) is dropped. */
const OWNED_HEADERS = new Set(['content-type', 'user-agent', 'host', 'content-length']);

function requestHeaders(given: Readonly<Record<string, string>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    const lower = name.toLowerCase();
    if (!OWNED_HEADERS.has(lower)) headers[lower] = value;
  }
  headers['content-type'] = 'application/json';
  headers['user-agent'] = WEBHOOK_USER_AGENT;
  return headers;
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function discardCapped(body: Readable): Promise<void> {
  let seen = 0;
  // Leaving the loop early destroys the stream, which is all a capped read needs.
  for await (const chunk of body) {
    seen += (chunk as Buffer).length;
    if (seen >= RESPONSE_READ_CAP_BYTES) break;
  }
}

function describeNetworkError(err: unknown): string {
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return code;
  return typeof message === 'string' ? message : 'unknown error';
}

function isUndiciTimeout(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  );
}

/**
 * Makes one delivery attempt. Never throws; every outcome is a DeliveryResult.
 *
 * The URL is vetted again here (the DNS answer may have changed since the job was accepted)
 * and the connection goes only to the addresses that vetting approved.
 */
export async function deliverWebhook(input: DeliverWebhookInput): Promise<DeliveryResult> {
  const started = performance.now();
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const elapsed = () => Math.round(performance.now() - started);
  const fail = (code: DeliveryErrorCode, message: string, status?: number): DeliveryResult => ({
    ok: false,
    ...(status === undefined ? {} : { status }),
    latencyMs: elapsed(),
    error: { code, message },
  });

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCallerAbort = () => controller.abort();
  if (input.signal?.aborted) controller.abort();
  input.signal?.addEventListener('abort', onCallerAbort, { once: true });

  let host = '';
  try {
    const vetted = await raceAbort(
      vetWebhookUrl(input.url, { allowHosts: input.allowHosts, lookup: input.lookup }),
      controller.signal,
    );
    if (!vetted.ok) return fail(vetted.code, vetted.message);
    host = vetted.url.host;

    const agent = createPinnedAgent(vetted.addresses, timeoutMs);
    try {
      const response = await agent.request({
        origin: vetted.url.origin,
        path: `${vetted.url.pathname}${vetted.url.search}`,
        method: 'POST',
        headers: requestHeaders(input.headers),
        body: input.body,
        signal: controller.signal,
      });
      const status = response.statusCode;
      // The status is the receiver's verdict; a body that stalls or breaks afterwards does
      // not change it, so its read is best-effort (and still bounded by the timer).
      await discardCapped(response.body).catch(() => undefined);
      if (status >= 200 && status < 300) return { ok: true, status, latencyMs: elapsed() };
      if (status >= 300 && status < 400) {
        return fail('redirect', `Receiver answered ${status}; redirects are not followed`, status);
      }
      return fail('http_status', `Receiver answered ${status}`, status);
    } finally {
      await agent.destroy();
    }
  } catch (err) {
    if (timedOut || isUndiciTimeout(err)) {
      return fail('timeout', `No complete answer from the receiver within ${timeoutMs} ms`);
    }
    if (controller.signal.aborted) return fail('aborted', 'Delivery attempt was aborted');
    const target = host === '' ? 'the receiver' : `"${host}"`;
    return fail('network_error', `Request to ${target} failed: ${describeNetworkError(err)}`);
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', onCallerAbort);
  }
}
