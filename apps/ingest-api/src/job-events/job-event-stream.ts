import { isTerminal, type JobStatus } from '@gateway/contracts';
import type { GatewayContext } from '@gateway/platform';
import type { JobEventHub, JobEventKind } from './job-event-hub';

/** Delta entries read per XREAD, and XREADs per wake, so one long reply cannot hold the loop. */
const DELTA_COUNT = 500;
const DELTA_ROUNDS = 20;
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

export interface JobStreamOptions {
  readonly jobId: string;
  /** The `Last-Event-ID` header: the last delta id the client has seen. */
  readonly lastEventId?: string;
  readonly heartbeatMs: number;
  /** Writes raw SSE text; false when the socket is gone. */
  readonly write: (text: string) => void;
  readonly closed: AbortSignal;
  /** Puts a pseudonymised job's values back into a delta (each holds whole placeholders). */
  readonly restore: (text: string) => string;
}

function sseEvent(event: string, id: string, data: unknown): string {
  return `event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
}

function fieldsOf(fields: string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) o[fields[i]] = fields[i + 1];
  return o;
}

/**
 * Streams one job as Server-Sent Events: `status` on every change (the current one first),
 * `delta` for each token piece of a streamed chat job, then `done` with the final record.
 * Every event's id is the last delta id sent, so a client that reconnects with
 * `Last-Event-ID` gets the current status and only the deltas it has not seen.
 *
 * Nothing is polled: the stream sleeps until the hub's shared pub/sub connection reports a
 * status change or a new delta of its job, then reads only what changed. Each heartbeat also
 * reads both once, so a notification lost to a reconnect delays the stream by one heartbeat
 * at most.
 */
export async function streamJobEvents(
  ctx: GatewayContext,
  hub: JobEventHub,
  o: JobStreamOptions,
): Promise<void> {
  let cursor = o.lastEventId && STREAM_ID.test(o.lastEventId) ? o.lastEventId : '0';
  const request = await ctx.store.getRequest(o.jobId).catch(() => null);
  const streamed =
    request?.task === 'chat' && (request.input as { stream?: unknown }).stream === true;
  // What needs reading: set by notifications (synchronously), cleared before each read.
  let statusDirty = true;
  let deltasDirty = streamed;
  let wake: (() => void) | undefined;
  const changed = (kind: JobEventKind | 'all') => {
    if (kind !== 'delta') statusDirty = true;
    if (kind !== 'status' && streamed) deltasDirty = true;
    wake?.();
  };
  const aborted = () => wake?.();
  // Listen before the first read, so a change in between is never missed.
  const unlisten = await hub.listen(o.jobId, changed, { deltas: streamed });
  o.closed.addEventListener('abort', aborted, { once: true });
  const heartbeat = setInterval(() => {
    o.write(': ping\n\n');
    changed('all');
  }, o.heartbeatMs);
  try {
    let status: JobStatus | null = null;
    let sent: JobStatus | null = null;
    while (!o.closed.aborted) {
      if (statusDirty) {
        statusDirty = false;
        status = await ctx.store.getStatus(o.jobId);
        if (status === null) return;
      }
      // A terminal job's deltas are all written (the worker appends them before it stores
      // the result): read to the end (the stream is capped) so `done` follows the last one.
      if (deltasDirty || (streamed && isTerminal(status!))) {
        deltasDirty = false;
        let more = await readDeltas();
        while (more && isTerminal(status!)) more = await readDeltas();
        deltasDirty = more;
      }
      if (status !== sent) {
        sent = status;
        o.write(sseEvent('status', cursor, { id: o.jobId, status }));
      }
      if (isTerminal(status!)) {
        const record = await ctx.store.get(o.jobId);
        o.write(sseEvent('done', cursor, record));
        return;
      }
      await new Promise<void>((resolve) => {
        if (statusDirty || deltasDirty || o.closed.aborted) resolve();
        else wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    clearInterval(heartbeat);
    o.closed.removeEventListener('abort', aborted);
    await unlisten();
  }

  /** Sends the deltas after `cursor`; true when more are left than one call may read. */
  async function readDeltas(): Promise<boolean> {
    for (let round = 0; round < DELTA_ROUNDS; round++) {
      const res = await ctx.redis.xread(
        'COUNT',
        DELTA_COUNT,
        'STREAMS',
        ctx.keys.deltas(o.jobId),
        cursor,
      );
      const entries = res?.[0]?.[1] ?? [];
      for (const [id, fields] of entries) {
        cursor = id;
        const f = fieldsOf(fields);
        if (f.t === 'delta') o.write(sseEvent('delta', id, { text: o.restore(f.d ?? '') }));
      }
      if (entries.length < DELTA_COUNT) return false;
    }
    return true;
  }
}
