import { createInterface } from 'node:readline';
import { isTerminal, type JobRecord } from '@gateway/contracts';
import type { Principal } from '@gateway/governance';
import { GatewayError, type SubmitJobUseCase } from '@gateway/platform';
import { chatCompletionOf, chatJobRequest, embedJobRequest, embeddingsListOf } from './chat.mapper';
import type { ChatCompletionRequest, EmbeddingsRequest } from './chat.schema';
import type { BatchLine } from './batch-lines';
import type { BatchStore, StoredBatch } from './batch-store';
import type { FileStore } from './file-store';
import { OpenAiHttpError, errorBody, jobFailure } from './openai-error';
import type { OpenAiErrorFilter } from './openai-error.filter';

/** Jobs one batch keeps in the queue at once: bounded memory here and fair queues there. */
export const BATCH_WINDOW = 256;

export function principalOf(b: StoredBatch): Principal {
  return { keyId: b.keyId, tenantId: b.tenantId, scopes: new Set(b.scopes) };
}

/** In-flight entry: which line a job answers, and how to render its result. */
interface Inflight {
  c: string;
  e?: 'float' | 'base64';
}

/** One output line in OpenAI's format. */
function outputLine(customId: string, requestId: string, status: number, body: unknown): string {
  return JSON.stringify({
    id: `batch_req_${requestId}`,
    custom_id: customId,
    response: { status_code: status, request_id: requestId, body },
    error: null,
  });
}

/** A line that never got an HTTP-like answer (expired, cancelled before it ran). */
export function lineError(customId: string, code: string, message: string): string {
  return JSON.stringify({
    id: `batch_req_${customId}`,
    custom_id: customId,
    response: null,
    error: { code, message },
  });
}

/** Moves lines from the input file to the queue and results from jobs to output parts. */
export class BatchFanout {
  constructor(
    private readonly store: BatchStore,
    private readonly files: FileStore,
    private readonly submit: SubmitJobUseCase,
    private readonly errors: OpenAiErrorFilter,
  ) {}

  /** Collects finished jobs into output/error parts; returns how many are still in flight. */
  async harvest(b: StoredBatch): Promise<number> {
    const ctx = this.store.ctx;
    const inflight = await ctx.redis.hgetall(this.store.inflightKey(b.id));
    const ids = Object.keys(inflight);
    if (!ids.length) return 0;
    const records = await Promise.all(ids.map((id) => ctx.store.get(id)));
    const out: string[] = [];
    const err: string[] = [];
    const done: string[] = [];
    records.forEach((r, i) => {
      const meta = JSON.parse(inflight[ids[i]]) as Inflight;
      if (r && !isTerminal(r.status)) return;
      done.push(ids[i]);
      if (r?.status === 'succeeded')
        out.push(outputLine(meta.c, r.id, 200, this.render(b, r, meta)));
      else if (r?.status === 'cancelled')
        err.push(lineError(meta.c, this.stopCode(b), this.stopMessage(b)));
      else {
        const e = jobFailure(r?.error ?? null, ids[i]);
        err.push(outputLine(meta.c, ids[i], e.status, errorBody(e)));
      }
    });
    await this.writeParts(b, out, err);
    await ctx.redis.hdel(this.store.inflightKey(b.id), ...done);
    return ids.length - done.length;
  }

  /** The error of a line a stopped batch never answered: cancelled, or out of time. */
  stopCode(b: StoredBatch): string {
    return b.status === 'cancelling' ? 'batch_cancelled' : 'batch_expired';
  }

  stopMessage(b: StoredBatch): string {
    return b.status === 'cancelling'
      ? 'The batch was cancelled before this request finished'
      : 'This request could not be executed before the completion window expired';
  }

  private render(b: StoredBatch, r: JobRecord, meta: Inflight): unknown {
    return b.endpoint === '/v1/embeddings'
      ? embeddingsListOf(r, meta.e ?? 'float')
      : chatCompletionOf(r);
  }

  /** Appends a part per kind (one blob each) and counts the lines. */
  async writeParts(b: StoredBatch, out: string[], err: string[]): Promise<void> {
    const ctx = this.store.ctx;
    const m = ctx.redis.multi();
    for (const [kind, lines] of [
      ['out', out],
      ['err', err],
    ] as const) {
      if (!lines.length) continue;
      const key = `openai/batches/${b.tenantId}/${b.id}/${kind}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
      await ctx.blobs.put(key, lines.join('\n') + '\n');
      m.rpush(
        this.store.partsKey(b.id, kind),
        `${Buffer.byteLength(lines.join('\n') + '\n')}:${key}`,
      );
    }
    m.hincrby(this.store.countsKey(b.id), 'completed', out.length);
    m.hincrby(this.store.countsKey(b.id), 'failed', err.length);
    await m.exec();
  }

  /**
   * Submits lines from the cursor until the window is full or `maxLines` are read. Lines are
   * streamed from the stored file at the saved byte offset, never loaded whole. Stops early
   * (to retry later) when the gateway pushes back with 429/503.
   */
  async refill(b: StoredBatch, inFlight: number, maxLines: number): Promise<void> {
    let room = Math.min(BATCH_WINDOW - inFlight, maxLines);
    if (room <= 0) return;
    const file = await this.files.get(b.tenantId, b.input_file_id);
    const stream = await this.store.ctx.blobs.openRead(file.parts[0], b.offset);
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    const errors: string[] = [];
    try {
      for await (const text of rl) {
        if (room <= 0) break;
        const line = JSON.parse(text) as BatchLine;
        const res = await this.submitLine(b, line);
        if (res === 'pushback') break;
        if (res !== 'ok') errors.push(res);
        b.cursor += 1;
        b.offset += Buffer.byteLength(text) + 1;
        room -= 1;
      }
    } finally {
      rl.close();
      stream.destroy();
    }
    await this.writeParts(b, [], errors);
    await this.store.save(b);
  }

  private async submitLine(b: StoredBatch, line: BatchLine): Promise<'ok' | 'pushback' | string> {
    const metadata = { batch_id: b.id, custom_id: line.custom_id.slice(0, 512) };
    const body =
      b.endpoint === '/v1/embeddings'
        ? embedJobRequest(line.body as EmbeddingsRequest, { priority: 'low', metadata })
        : chatJobRequest(line.body as ChatCompletionRequest, {
            stream: false,
            priority: 'low',
            metadata,
          });
    try {
      const { record } = await this.submit.execute({
        principal: principalOf(b),
        body,
        // A crash between submit and bookkeeping resubmits the same line: the same job answers.
        idempotencyKey: `batch:${b.id}:${b.cursor}`,
        // The line's output is read into the batch's output file after the job ends.
        keepPayloads: true,
      });
      const meta: Inflight = {
        c: line.custom_id,
        e: (line.body as EmbeddingsRequest).encoding_format,
      };
      await this.store.ctx.redis.hset(
        this.store.inflightKey(b.id),
        record.id,
        JSON.stringify(meta),
      );
      return 'ok';
    } catch (e) {
      if (e instanceof GatewayError && (e.status === 429 || e.status === 503)) return 'pushback';
      const oe = e instanceof OpenAiHttpError ? e : this.errors.toOpenAi(e);
      return outputLine(line.custom_id, `line-${b.cursor + 1}`, oe.status, errorBody(oe));
    }
  }
}
