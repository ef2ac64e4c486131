import { ProviderError } from '../provider-error';
import type { SimulatedFault } from './local-simulation';

/** Deadline of a call when the caller sets none, as for vendor adapters. */
export const DEFAULT_TIMEOUT_MS = 60_000;

export function cancelledError(): ProviderError {
  return new ProviderError(
    'cancelled',
    'The call was cancelled before the local provider answered (job cancelled or worker shutting down).',
  );
}

export function timeoutError(timeoutMs: number): ProviderError {
  return new ProviderError(
    'timeout',
    `The local provider did not answer within ${timeoutMs} ms; raise the provider's timeoutMs or lower the deployment's simulated latency or hangRate.`,
  );
}

/** A call's deadline: when it started and how long it may take. */
export interface Deadline {
  readonly at: number;
  readonly timeoutMs: number;
}

export function deadlineFrom(timeoutMs: number | undefined, now = Date.now()): Deadline {
  const ms = timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return { at: now + ms, timeoutMs: ms };
}

/**
 * Settles `work` unless the signal aborts first (→ cancelled) or the deadline passes
 * (→ timeout). Work that cannot be stopped (an OCR job) finishes in the background and
 * its result is dropped.
 */
export function raceDeadline<T>(
  work: Promise<T>,
  signal: AbortSignal,
  deadline: Deadline,
): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelledError());
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => finish(() => reject(timeoutError(deadline.timeoutMs))),
      Math.max(0, deadline.at - Date.now()),
    );
    const onAbort = () => finish(() => reject(cancelledError()));
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      settle();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => finish(() => resolve(v)),
      (e: unknown) => finish(() => reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/**
 * Waits `ms` (Infinity: until the deadline), rejecting with cancelled on abort and with
 * timeout when the wait would pass the deadline, at the deadline.
 */
export function pause(ms: number, signal: AbortSignal, deadline: Deadline): Promise<void> {
  if (signal.aborted) return Promise.reject(cancelledError());
  const left = deadline.at - Date.now();
  if (ms <= 0 && left > 0) return Promise.resolve();
  const overruns = ms >= left;
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        if (overruns) reject(timeoutError(deadline.timeoutMs));
        else resolve();
      },
      Math.max(0, overruns ? left : ms),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error a simulated fault answers with, shaped like a vendor's 429/500/503. */
export function faultError(
  fault: Exclude<SimulatedFault, { kind: 'hang' }>,
  deployment: string,
): ProviderError {
  switch (fault.kind) {
    case 'rate_limited': {
      const { retryAfterMs } = fault;
      const why =
        fault.cause === 'capacity'
          ? `is at its simulated capacity of ${fault.capacity} concurrent calls`
          : 'answered a simulated rate limit (simulate.rateLimitRate)';
      return new ProviderError(
        'rate_limited',
        `Local deployment "${deployment}" ${why}; retry after ${retryAfterMs} ms.`,
        {
          status: 429,
          retryAfterMs,
          rateLimit: {
            retryAfterMs,
            remainingRequests: 0,
            resetRequestsMs: retryAfterMs,
            ...(fault.capacity !== undefined ? { limitRequests: fault.capacity } : {}),
          },
        },
      );
    }
    case 'server_error':
      return new ProviderError(
        'server_error',
        `Local deployment "${deployment}" answered a simulated server error (simulate.serverErrorRate); retrying may succeed.`,
        { status: 500 },
      );
    case 'overloaded':
      return new ProviderError(
        'overloaded',
        `Local deployment "${deployment}" answered a simulated overload (simulate.overloadedRate); retry after ${fault.retryAfterMs} ms.`,
        { status: 503, retryAfterMs: fault.retryAfterMs },
      );
  }
}
