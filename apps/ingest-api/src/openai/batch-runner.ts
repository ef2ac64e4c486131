import { createInterface } from 'node:readline';
import type { CancelJobUseCase } from '@gateway/platform';
import { lineError, principalOf, type BatchFanout } from './batch-fanout';
import type { BatchLine } from './batch-lines';
import { FINAL_STATUSES, type BatchStore, type StoredBatch } from './batch-store';
import { newId, type FileStore } from './file-store';

const TICK_MS = 200;
/** Lines read per batch per tick: bounds each tick's work and memory. */
const LINES_PER_TICK = 500;
/** Batches advanced per tick by this process; others wait a tick (or run on a replica). */
const BATCHES_PER_TICK = 16;
const LOCK_MS = 30_000;

const now = () => Math.floor(Date.now() / 1000);

/**
 * Told about a batch's final status before it is stored, so a crash in between tells it again
 * (webhook scheduling is idempotent per batch and endpoint).
 */
export interface BatchEvents {
  finished(b: StoredBatch): Promise<void>;
}

/**
 * Advances every active batch in the background: validating → in_progress (windowed fan-out
 * of lines as low-priority jobs) → finalizing → completed, or expired / cancelled. State is in
 * Redis and each batch is locked per tick, so any number of API replicas can run this.
 */
export class BatchRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: BatchStore,
    private readonly files: FileStore,
    private readonly fanout: BatchFanout,
    private readonly cancel: CancelJobUseCase,
    private readonly events: BatchEvents,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((e: unknown) =>
          this.store.ctx.log.warn({ err: (e as Error).message }, 'batch tick failed'),
        )
        .finally(() => this.schedule());
    }, TICK_MS);
    this.timer.unref();
  }

  async tick(): Promise<void> {
    const redis = this.store.ctx.redis;
    const ids = await redis.srandmember(this.store.activeKey(), BATCHES_PER_TICK);
    for (const id of ids) {
      if (this.stopped) return;
      const token = `${process.pid}-${Math.random()}`;
      const got = await redis.set(this.store.lockKey(id), token, 'PX', LOCK_MS, 'NX');
      if (!got) continue;
      try {
        await this.advance(id);
      } catch (e) {
        this.store.ctx.log.warn({ err: (e as Error).message, batchId: id }, 'batch step failed');
      } finally {
        if ((await redis.get(this.store.lockKey(id))) === token)
          await redis.del(this.store.lockKey(id));
      }
    }
  }

  private async advance(id: string): Promise<void> {
    const b = await this.store.load(id);
    if (!b || FINAL_STATUSES.has(b.status)) {
      await this.store.ctx.redis.srem(this.store.activeKey(), id);
      return;
    }
    if (b.status === 'validating') return this.validate(b);
    const stopping = b.status === 'cancelling' || now() >= b.expires_at;
    if (stopping) return this.stop(b);
    const inFlight = await this.fanout.harvest(b);
    const { total } = await this.store.counts(b.id);
    if (b.cursor < total) return this.fanout.refill(b, inFlight, LINES_PER_TICK);
    if (inFlight === 0) await this.finish(b, 'completed');
  }

  /** Checks every line targets the batch's endpoint, streaming the file once. */
  private async validate(b: StoredBatch): Promise<void> {
    const file = await this.files.get(b.tenantId, b.input_file_id).catch(() => null);
    const errors: { code: string; message: string; line: number | null }[] = [];
    if (!file)
      errors.push({ code: 'invalid_file', message: 'The input file was deleted', line: null });
    else {
      const rl = createInterface({
        input: await this.store.ctx.blobs.openRead(file.parts[0]),
        crlfDelay: Infinity,
      });
      let n = 0;
      for await (const text of rl) {
        n += 1;
        const line = JSON.parse(text) as BatchLine;
        if (line.url !== b.endpoint && errors.length < 10)
          errors.push({
            code: 'mismatched_endpoint',
            message: `The line calls ${line.url}; the batch is for ${b.endpoint}`,
            line: n,
          });
      }
    }
    if (errors.length) {
      const failed: StoredBatch = {
        ...b,
        status: 'failed',
        failed_at: now(),
        errors: { object: 'list', data: errors },
      };
      await this.events.finished(failed);
      return this.store.save(failed);
    }
    await this.store.save({ ...b, status: 'in_progress', in_progress_at: now() });
  }

  /**
   * Cancel or expiry (OpenAI's semantics for both): jobs still queued or running are
   * cancelled, finished lines keep their results, and every line without one is reported in
   * the error file (`batch_cancelled` / `batch_expired`); then the batch is finalised.
   */
  private async stop(b: StoredBatch): Promise<void> {
    const ids = await this.store.ctx.redis.hkeys(this.store.inflightKey(b.id));
    const principal = principalOf(b);
    const reason =
      b.status === 'cancelling'
        ? `Cancelled with batch ${b.id}`
        : `Cancelled: the completion window of batch ${b.id} passed`;
    // A job that finished meanwhile answers 409; its result is harvested like any other.
    await Promise.all(
      ids.map((j) => this.cancel.execute(principal, j, reason).catch(() => undefined)),
    );
    const left = await this.fanout.harvest(b);
    if (left > 0) return; // a job is still settling; next tick
    const { total } = await this.store.counts(b.id);
    if (b.cursor < total) {
      // Every line never sent is reported as stopped, in bounded chunks per tick.
      const file = await this.files.get(b.tenantId, b.input_file_id);
      const rl = createInterface({
        input: await this.store.ctx.blobs.openRead(file.parts[0], b.offset),
        crlfDelay: Infinity,
      });
      const errs: string[] = [];
      for await (const text of rl) {
        if (errs.length >= LINES_PER_TICK) break;
        const line = JSON.parse(text) as BatchLine;
        errs.push(lineError(line.custom_id, this.fanout.stopCode(b), this.fanout.stopMessage(b)));
        b.cursor += 1;
        b.offset += Buffer.byteLength(text) + 1;
      }
      rl.close();
      await this.fanout.writeParts(b, [], errs);
      await this.store.save(b);
      if (b.cursor < total) return;
    }
    await this.finish(b, b.status === 'cancelling' ? 'cancelled' : 'expired');
  }

  /** finalizing → the output and error files → the final status. */
  private async finish(
    b: StoredBatch,
    final: 'completed' | 'cancelled' | 'expired',
  ): Promise<void> {
    const t = now();
    await this.store.save({ ...b, status: 'finalizing', finalizing_at: t });
    const redis = this.store.ctx.redis;
    const fileOf = async (kind: 'out' | 'err') => {
      const parts = await redis.lrange(this.store.partsKey(b.id, kind), 0, -1);
      if (!parts.length) return null;
      const keys = parts.map((p) => p.slice(p.indexOf(':') + 1));
      const bytes = parts.reduce((s, p) => s + Number(p.slice(0, p.indexOf(':'))), 0);
      const f = await this.files.register(b.tenantId, {
        id: newId('file'),
        filename: `${b.id}_${kind === 'out' ? 'output' : 'error'}.jsonl`,
        purpose: 'batch_output',
        parts: keys,
        bytes,
      });
      return f.id;
    };
    const output = await fileOf('out');
    const error = await fileOf('err');
    const stamp =
      final === 'completed'
        ? { completed_at: now() }
        : final === 'cancelled'
          ? { cancelled_at: now() }
          : { expired_at: now() };
    const done: StoredBatch = {
      ...b,
      status: final,
      finalizing_at: t,
      output_file_id: output,
      error_file_id: error,
      ...stamp,
    };
    await this.events.finished(done);
    await this.store.save(done);
    // Two slots: a crash between them leaves the finished batch in the runner's set, which
    // drops it at its next look (final status).
    await redis.del(this.store.inflightKey(b.id));
    await redis.srem(this.store.activeKey(), b.id);
  }
}
