import { isTerminal, type JobStatus } from '@gateway/contracts';
import type { GatewayContext } from '@gateway/platform';
import type { JobEventHub } from './job-event-hub';

/** How often a streamed chat job's delta stream is read while it runs. */
const DELTA_POLL_MS = 50;
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
 */
export async function streamJobEvents(
  ctx: GatewayContext,
  hub: JobEventHub,
  o: JobStreamOptions,
): Promise<void> {
  let cursor = o.lastEventId && STREAM_ID.test(o.lastEventId) ? o.lastEventId : '0';
  let wake: (() => void) | undefined;
  const changed = () => wake?.();
  // Listen before the first read, so a change in between is never missed.
  const unlisten = await hub.listen(o.jobId, changed);
  o.closed.addEventListener('abort', changed, { once: true });
  const heartbeat = setInterval(() => o.write(': ping\n\n'), o.heartbeatMs);
  try {
    const request = await ctx.store.getRequest(o.jobId).catch(() => null);
    const streamed =
      request?.task === 'chat' && (request.input as { stream?: unknown }).stream === true;
    let sent: JobStatus | null = null;
    while (!o.closed.aborted) {
      const status = await ctx.store.getStatus(o.jobId);
      if (status === null) return;
      if (streamed) await readDeltas();
      if (status !== sent) {
        sent = status;
        o.write(sseEvent('status', cursor, { id: o.jobId, status }));
      }
      if (isTerminal(status)) {
        const record = await ctx.store.get(o.jobId);
        o.write(sseEvent('done', cursor, record));
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (streamed && status === 'running') setTimeout(resolve, DELTA_POLL_MS);
      });
      wake = undefined;
    }
  } finally {
    clearInterval(heartbeat);
    o.closed.removeEventListener('abort', changed);
    await unlisten();
  }

  async function readDeltas(): Promise<void> {
    // Bounded per round so one long reply cannot hold the loop.
    for (let round = 0; round < 20; round++) {
      const res = await ctx.redis.xread('COUNT', 500, 'STREAMS', ctx.keys.deltas(o.jobId), cursor);
      const entries = res?.[0]?.[1] ?? [];
      for (const [id, fields] of entries) {
        cursor = id;
        const f = fieldsOf(fields);
        if (f.t === 'delta') o.write(sseEvent('delta', id, { text: o.restore(f.d ?? '') }));
      }
      if (entries.length < 500) return;
    }
  }
}
