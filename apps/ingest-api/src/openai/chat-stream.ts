import { isTerminal, type JobRecord, type TaskOutput } from '@gateway/contracts';
import type { ServerResponse } from 'node:http';
import { errorBody, jobFailure } from './openai-error';
import { finishReasonOf, usageOf } from './chat.mapper';
import type { OpenAiJobs } from './openai-jobs';

/** How long one XREAD blocks before the relay looks at the job record itself. */
const BLOCK_MS = 2000;
/** The relay gives up on a stream that neither moves nor ends for this long. */
const MAX_STREAM_MS = 10 * 60_000;

/**
 * Relays a streamed chat job to the client as OpenAI `chat.completion.chunk` SSE events: the
 * worker appends `{t: delta, d}` … `{t: done, f}` to the job's Redis stream as the provider
 * streams, and this reads it with XREAD BLOCK, so each token is forwarded as it arrives.
 */
export async function relayChatStream(opts: {
  jobs: OpenAiJobs;
  record: JobRecord;
  res: ServerResponse;
  includeUsage: boolean;
  aborted: () => boolean;
}): Promise<void> {
  const { jobs, record, res, includeUsage } = opts;
  const base = {
    id: `chatcmpl-${record.id}`,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.parse(record.createdAt) / 1000),
    model: record.route.deployment,
  };
  const send = (obj: unknown) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    send({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });

  chunk({ role: 'assistant', content: '' }, null);
  // Deltas hold placeholders, each whole (the worker never splits one): restored one by one.
  const restore = await jobs.restorer(record);
  const key = jobs.ctx.keys.deltas(record.id);
  const conn = jobs.borrow();
  let finish: string | null = null;
  let sawDelta = false;
  let last = '0';
  const deadline = Date.now() + MAX_STREAM_MS;
  try {
    while (finish === null && !opts.aborted() && Date.now() < deadline) {
      const got = await conn.xread('COUNT', 256, 'BLOCK', BLOCK_MS, 'STREAMS', key, last);
      if (!got) {
        // Quiet stream: the job may have ended without deltas (a cached answer) or failed.
        const now = await jobs.ctx.store.get(record.id);
        if (!now || !isTerminal(now.status)) continue;
        if (now.status !== 'succeeded') return fail(res, now);
        if (!sawDelta) {
          const out = now.output as TaskOutput<'chat'>;
          chunk({ content: out.message.content }, null);
          finish = out.finishReason;
        }
        continue;
      }
      for (const [id, fields] of got[0][1]) {
        last = id;
        const f = fieldsOf(fields);
        if (f.t === 'delta') {
          sawDelta = true;
          chunk({ content: restore(f.d ?? '') }, null);
        } else if (f.t === 'done') finish = f.f ?? 'stop';
      }
    }
  } finally {
    jobs.release(conn);
  }
  if (opts.aborted()) return;
  if (finish === null) {
    return fail(res, { ...record, status: 'failed', error: null });
  }
  chunk({}, finishReasonOf(finish));
  if (includeUsage) {
    // The record gets its usage when the worker stores the result, just after `done`.
    const final = await jobs.waiter.waitForTerminal(record, 10_000);
    send({ ...base, choices: [], usage: usageOf(final) });
  }
  res.end('data: [DONE]\n\n');
}

function fieldsOf(flat: string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) o[flat[i]] = flat[i + 1];
  return o;
}

/** A failure after the headers went out: an `error` chunk, which the SDKs raise as an error. */
function fail(res: ServerResponse, record: JobRecord): void {
  const e = jobFailure(
    record.error ?? { code: 'timeout', message: 'The stream stalled', retryable: true },
    record.id,
  );
  res.end(`data: ${JSON.stringify(errorBody(e))}\n\n`);
}
