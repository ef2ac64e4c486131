import {
  isTerminal,
  type AuditData,
  type JobError,
  type JobRecord,
  type JobRequest,
  type OutboxEntry,
  type TaskInput,
} from '@gateway/contracts';
import type { LoadedConfig } from '@gateway/config';
import { auditEvent, jobAudit, resultEvent } from '@gateway/events';
import type { Logger } from '@gateway/observability';
import {
  computeCostUsd,
  ProviderError,
  type CallResult,
  type ChatStreamEvent,
  type ProviderRegistry,
} from '@gateway/providers';
import type { JobQueues, QueuedJobData } from '../job-queues';
import type { JobStore } from '../job-store';
import type { CallReport } from '../backpressure/provider-gate';

/** What the processor learns about the BullMQ job it runs. */
export interface AttemptInfo {
  readonly deploymentId: string;
  readonly data: QueuedJobData;
  /** Attempts already made on this deployment before this one. */
  readonly attemptsMade: number;
  readonly maxAttempts: number;
  readonly signal: AbortSignal;
  /** Told how the provider call ended (the backpressure gate's feedback). */
  readonly onCall?: (report: CallReport) => void;
  /** The job as `load` read it while the attempt waited for its slot. */
  readonly loaded?: Promise<LoadedJob>;
}

/** A job's record and request, read together. */
export type LoadedJob = [JobRecord | null, JobRequest | null];

/** How an attempt ended, for the worker host to translate into BullMQ terms. */
export type AttemptOutcome =
  | { kind: 'done' }
  | { kind: 'retry'; error: ProviderError }
  | { kind: 'rate_limited'; retryAfterMs: number; error: ProviderError }
  | { kind: 'released' };

/**
 * Side effects that follow a job's life without deciding it (stats, cache, metrics, budget
 * settlement). Called after the result is stored; must not throw into the job.
 */
export interface JobObserver {
  /** One provider call ended: its latency, and the error when it failed. */
  onProviderCall?(
    deploymentId: string,
    latencyMs: number,
    error: ProviderError | null,
  ): Promise<void> | void;
  /**
   * The job's success is stored. `shareable` is the output in the form other jobs may be
   * given (the response cache): before any job's own pseudonymised values were put back.
   */
  onSucceeded?(record: JobRecord, request: JobRequest, shareable: unknown): Promise<void> | void;
  /** The job's failure is stored. */
  onFailed?(record: JobRecord): Promise<void> | void;
  /** An attempt of `record` failed and will be retried on the same deployment. */
  onRetry?(deploymentId: string, error: ProviderError, record: JobRecord): Promise<void> | void;
  /** The job moved to the next candidate deployment. */
  onFallback?(
    from: string,
    to: string,
    error: ProviderError,
    record: JobRecord,
  ): Promise<void> | void;
}

/** What governance made of a model's output. */
export type GuardedOutput =
  | {
      readonly ok: true;
      /** The output as the record stores it and the client receives it. */
      readonly output: unknown;
      /** The form the response cache may hand to other jobs (placeholders kept). */
      readonly shareable: unknown;
      /** Non-zero PII counts found in the output (when it was scanned). */
      readonly redactions: Record<string, number>;
    }
  | { readonly ok: false; readonly message: string; readonly redactions: Record<string, number> };

/** Streamed text on its way to the delta stream: pieces out as they may be relayed. */
export interface DeltaFilter {
  push(text: string): string;
  /** The rest, once the model is done and its output let through. */
  end(): string;
}

/**
 * Governance of a model's output before it is stored (PII policy on outputs, pseudonymised
 * values put back). Implemented by the platform; absent, outputs are stored as they come.
 */
export interface OutputGuard {
  prepare(record: JobRecord, output: unknown): Promise<GuardedOutput>;
  /** How a streamed reply's deltas are relayed, or undefined to relay each as it comes. */
  deltaFilter(record: JobRecord): DeltaFilter | undefined;
}

const totalTokens = (u: { inputTokens?: number; outputTokens?: number } | null | undefined) =>
  (u?.inputTokens ?? 0) + (u?.outputTokens ?? 0);

/** The audit of a PII policy applied to a job's output (counts only). */
function outputPiiAudit(record: JobRecord, counts: Record<string, number>): AuditData {
  return {
    action: 'pii.redacted',
    tenantId: record.tenantId,
    actor: { type: 'system', id: null },
    jobId: record.id,
    task: record.task,
    deployment: record.route.deployment,
    region: record.route.region ?? null,
    reason: `PII policy "${record.policy.output ?? 'off'}" on the output`,
    outcome: record.policy.output ?? 'off',
    details: { ...counts, direction: 'output' },
  };
}

const toJobError = (e: ProviderError): JobError => ({
  code: e.code,
  message: e.message,
  retryable: e.retryable,
});

/**
 * Runs one attempt of a job on one deployment: load, mark running, call the model, store the
 * result with its outbox events in one transaction, or decide retry / fallback / failure.
 * A job whose result is already stored is never sent to the model again.
 */
export class ProcessJobUseCase {
  constructor(
    private readonly store: JobStore,
    private readonly queues: JobQueues,
    private readonly providers: () => ProviderRegistry,
    private readonly config: () => LoadedConfig,
    private readonly log: Logger,
    private readonly observers: readonly JobObserver[] = [],
    private readonly guard?: OutputGuard,
  ) {}

  /**
   * Reads a job's record and request at once. The worker starts this before waiting for the
   * provider's slot: once the slot is held every round trip costs goodput, and the running
   * transition below still checks the status the job has by then.
   */
  async load(jobId: string): Promise<LoadedJob> {
    // The request's errors count only for a job that is still to run.
    const requestRead = this.store.getRequest(jobId);
    requestRead.catch(() => undefined);
    const record = await this.store.get(jobId);
    if (!record || isTerminal(record.status)) return [record, null];
    return [record, await requestRead];
  }

  async execute(a: AttemptInfo): Promise<AttemptOutcome> {
    const [record, request] = await (a.loaded ?? this.load(a.data.jobId));
    if (!record || isTerminal(record.status) || !request) return { kind: 'done' };
    const cfg = this.config();
    const deployment = cfg.deploymentById.get(a.deploymentId);
    const now = new Date();
    const running: JobRecord = {
      ...record,
      status: 'running',
      startedAt: record.startedAt ?? now.toISOString(),
      attempts: record.attempts + 1,
    };
    if ((await this.store.transition(['queued', 'running'], running)) !== 'OK')
      return { kind: 'done' };
    if (!deployment) {
      return this.fail(
        running,
        a.data.traceparent,
        new ProviderError('not_found', `Deployment "${a.deploymentId}" is no longer configured`),
      );
    }
    const deadline = request.routing?.deadline;
    if (deadline !== undefined && now.getTime() > Date.parse(deadline)) {
      // The caller has no use for an answer after its deadline: no call is made for one.
      return this.fail(
        running,
        a.data.traceparent,
        new ProviderError(
          'timeout',
          `routing.deadline ${deadline} passed before the call started`,
          {
            retryable: false,
          },
        ),
      );
    }
    const started = performance.now();
    try {
      const adapter = this.providers().adapterFor(deployment.id);
      const callCtx = { deployment, signal: a.signal, jobId: record.id };
      const chat = request.task === 'chat' ? (request.input as TaskInput<'chat'>) : undefined;
      const filter = chat?.stream ? this.guard?.deltaFilter(running) : undefined;
      const res =
        chat?.stream && adapter.streamChat
          ? await this.stream(record.id, adapter.streamChat(chat, callCtx), filter)
          : await adapter.call(request.task, request.input, callCtx);
      const providerMs = Math.round(performance.now() - started);
      this.notify((o) => o.onProviderCall?.(deployment.id, providerMs, null));
      a.onCall?.({
        rateLimit: res.rateLimit,
        tokens: totalTokens(res.usage),
        latencyMs: providerMs,
      });
      const guarded: GuardedOutput = this.guard
        ? await this.guard.prepare(running, res.output)
        : { ok: true, output: res.output, shareable: res.output, redactions: {} };
      const costUsd = computeCostUsd(deployment.price, res.usage, res.images ?? 0);
      if (!guarded.ok)
        return this.withheld(running, guarded, res.usage, costUsd, a.data.traceparent);
      if (chat?.stream && adapter.streamChat) await this.endStream(record.id, res, filter);
      const finishedAt = new Date();
      const outputRedactions = Object.keys(guarded.redactions).length
        ? { outputRedactions: guarded.redactions }
        : {};
      const done: JobRecord = {
        ...running,
        status: 'succeeded',
        finishedAt: finishedAt.toISOString(),
        output: guarded.output,
        error: null,
        usage: res.usage,
        costUsd,
        timings: {
          queuedMs: Math.max(0, Date.parse(running.startedAt!) - Date.parse(record.createdAt)),
          providerMs,
          totalMs: finishedAt.getTime() - Date.parse(record.createdAt),
        },
        policy: { ...running.policy, ...outputRedactions },
      };
      await this.store.transition(['running'], done, [
        resultEvent(done, a.data.traceparent),
        ...(Object.keys(guarded.redactions).length
          ? [auditEvent(outputPiiAudit(done, guarded.redactions), a.data.traceparent)]
          : []),
        auditEvent(
          jobAudit('job.succeeded', done, 'succeeded', { details: { costUsd: done.costUsd } }),
          a.data.traceparent,
        ),
      ]);
      this.notify((o) => o.onSucceeded?.(done, request, guarded.shareable));
      return { kind: 'done' };
    } catch (e) {
      const err = ProviderError.isProviderError(e)
        ? e
        : new ProviderError('server_error', `Unexpected error: ${(e as Error).message}`, {
            cause: e,
          });
      const ms = Math.round(performance.now() - started);
      if (err.code !== 'cancelled') this.notify((o) => o.onProviderCall?.(deployment.id, ms, err));
      a.onCall?.({ error: err, latencyMs: Math.round(performance.now() - started) });
      return this.onError(running, a, err);
    }
  }

  /** Observers never fail a job: their errors are logged and dropped. */
  private notify(fn: (o: JobObserver) => Promise<void> | void): void {
    for (const o of this.observers) {
      Promise.resolve()
        .then(() => fn(o))
        .catch((e: unknown) => this.log.warn({ err: (e as Error).message }, 'job observer failed'));
    }
  }

  /**
   * Relays a streamed chat answer through a Redis stream as it arrives (SSE and the OpenAI
   * façade read it), through the guard's filter when there is one, and returns the whole
   * answer for the record. `endStream` writes the rest and `done` once the output is let through.
   */
  private async stream(
    jobId: string,
    events: AsyncIterable<ChatStreamEvent>,
    filter: DeltaFilter | undefined,
  ): Promise<CallResult<'chat'>> {
    let text = '';
    for await (const ev of events) {
      if (ev.type === 'delta') {
        text += ev.text;
        const piece = filter ? filter.push(ev.text) : ev.text;
        if (piece) await this.store.appendDelta(jobId, { t: 'delta', d: piece });
      } else {
        return {
          output: { message: { role: 'assistant', content: text }, finishReason: ev.finishReason },
          usage: ev.usage,
          rateLimit: ev.rateLimit,
        };
      }
    }
    throw new ProviderError('server_error', 'The stream ended without a final event');
  }

  private async endStream(
    jobId: string,
    res: CallResult,
    filter: DeltaFilter | undefined,
  ): Promise<void> {
    const rest = filter?.end();
    if (rest) await this.store.appendDelta(jobId, { t: 'delta', d: rest });
    const finish = (res.output as { finishReason?: string }).finishReason ?? 'stop';
    await this.store.appendDelta(jobId, { t: 'done', f: finish });
  }

  /**
   * The output policy blocks what the model wrote: the job fails (`content_filtered`, no
   * fallback: another model may write the same) and nothing of the output is stored. The
   * call happened, so its cost counts.
   */
  private async withheld(
    running: JobRecord,
    guarded: Extract<GuardedOutput, { ok: false }>,
    usage: JobRecord['usage'],
    costUsd: number,
    traceparent: string | undefined,
  ): Promise<AttemptOutcome> {
    const err = new ProviderError('content_filtered', guarded.message, { retryable: false });
    return this.fail({ ...running, usage, costUsd }, traceparent, err, [
      auditEvent(
        { ...outputPiiAudit(running, guarded.redactions), outcome: 'blocked' },
        traceparent,
      ),
    ]);
  }

  private async onError(
    record: JobRecord,
    a: AttemptInfo,
    err: ProviderError,
  ): Promise<AttemptOutcome> {
    if (err.code === 'cancelled') {
      // Aborted: either the client cancelled (the record says so already) or we are shutting down.
      const status = await this.store.getStatus(record.id);
      if (status === 'cancelled') return { kind: 'done' };
      await this.store.transition(['running'], {
        ...record,
        status: 'queued',
        attempts: record.attempts - 1,
      });
      return { kind: 'released' };
    }
    if (err.code === 'rate_limited') {
      // A 429 never burns an attempt: the queue pauses and the job waits its turn again.
      await this.store.transition(['running'], {
        ...record,
        status: 'queued',
        attempts: record.attempts - 1,
      });
      return { kind: 'rate_limited', retryAfterMs: err.retryAfterMs ?? 1000, error: err };
    }
    const lastAttempt = a.attemptsMade + 1 >= a.maxAttempts;
    if (err.retryable && !lastAttempt) {
      await this.store.transition(['running'], { ...record, status: 'queued' });
      this.notify((o) => o.onRetry?.(a.deploymentId, err, record));
      return { kind: 'retry', error: err };
    }
    const mayFallBack = err.retryable || record.route.fallbackOnNonRetryable === true;
    if (mayFallBack && (await this.fallBack(record, a, err))) return { kind: 'done' };
    return this.fail(record, a.data.traceparent, err);
  }

  /** Moves the job to the next candidate's queue, keeping its id. */
  /**
   * The deployment's circuit is open: a job waiting for it moves to its next candidate at
   * once instead of waiting for the half-open probe. False when it has nowhere to go.
   */
  async fallBackFromOpenCircuit(
    deploymentId: string,
    data: AttemptInfo['data'],
    signal: AbortSignal,
  ): Promise<boolean> {
    const record = await this.store.get(data.jobId);
    if (!record || record.status !== 'queued') return false;
    const err = new ProviderError('overloaded', `The circuit of ${deploymentId} is open`);
    const attempt = { deploymentId, data, attemptsMade: 0, maxAttempts: 1, signal };
    return this.fallBack(record, attempt, err, ['queued']);
  }

  private async fallBack(
    record: JobRecord,
    a: AttemptInfo,
    err: ProviderError,
    from: readonly JobRecord['status'][] = ['running'],
  ): Promise<boolean> {
    const cfg = this.config();
    const idx = record.route.candidates.indexOf(a.deploymentId);
    const next = record.route.candidates.slice(idx + 1).find((d) => cfg.deploymentById.has(d));
    if (!next) return false;
    const target = cfg.deploymentById.get(next)!;
    const provider = cfg.providerById.get(target.provider)!;
    const hopped: JobRecord = {
      ...record,
      status: 'queued',
      route: {
        ...record.route,
        deployment: next,
        provider: provider.id,
        model: target.model,
        region: target.region,
        fallbacks: [
          ...record.route.fallbacks,
          { from: a.deploymentId, to: next, error: toJobError(err), at: new Date().toISOString() },
        ],
      },
    };
    const ok = await this.store.transition(from, hopped, [
      auditEvent(
        jobAudit('job.fallback', hopped, 'fallback', {
          reason: `${a.deploymentId} failed with ${err.code}; next: ${next}`,
          details: { from: a.deploymentId, to: next, errorCode: err.code },
        }),
        a.data.traceparent,
      ),
    ]);
    if (ok !== 'OK') return true;
    this.notify((o) => o.onFallback?.(a.deploymentId, next, err, hopped));
    await this.queues.enqueue(
      next,
      { jobId: record.id, hop: a.data.hop + 1, traceparent: a.data.traceparent },
      { priority: record.priority, attempts: target.attempts, backoffMs: cfg.jobs.backoffMs },
    );
    return true;
  }

  /** Fails the job; its events carry the attempt's trace like a success's do. */
  private async fail(
    record: JobRecord,
    traceparent: string | undefined,
    err: ProviderError,
    extraEvents: readonly OutboxEntry[] = [],
  ): Promise<AttemptOutcome> {
    const finishedAt = new Date();
    const failed: JobRecord = {
      ...record,
      status: 'failed',
      finishedAt: finishedAt.toISOString(),
      error: toJobError(err),
      timings: {
        queuedMs: record.startedAt
          ? Math.max(0, Date.parse(record.startedAt) - Date.parse(record.createdAt))
          : 0,
        providerMs: 0,
        totalMs: finishedAt.getTime() - Date.parse(record.createdAt),
      },
    };
    await this.store.transition(['running', 'queued'], failed, [
      resultEvent(failed, traceparent),
      ...extraEvents,
      auditEvent(
        jobAudit('job.failed', failed, 'failed', { details: { errorCode: err.code } }),
        traceparent,
      ),
    ]);
    this.notify((o) => o.onFailed?.(failed));
    return { kind: 'done' };
  }
}
