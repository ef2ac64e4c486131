import { isTerminal, type JobRecord } from '@gateway/contracts';
import type { Principal, PseudonymVault } from '@gateway/governance';
import {
  GatewayError,
  pseudonymVaultFor,
  restorerFor,
  type CancelJobUseCase,
  type GatewayContext,
  type JobWaiter,
  type SubmitJobResult,
  type SubmitJobUseCase,
} from '@gateway/platform';
import { duplicateClient, type RedisClient as Redis } from '@gateway/storage';
import { jobFailure } from './openai-error';

/** The longest a synchronous OpenAI call waits for its job (provider timeouts and retries fit). */
const MAX_WAIT_MS = 10 * 60_000;
/** Idle blocking connections kept for stream relays; more are opened on demand. */
const POOL_IDLE = 32;

/**
 * Runs OpenAI calls as gateway jobs: submit through the same use case as `POST /v1/jobs`, then
 * wait for the outcome (woken by pub/sub); a call whose client went away cancels its job.
 * Also lends blocking Redis connections to stream relays, which XREAD a job's delta stream.
 */
export class OpenAiJobs {
  private readonly idle: Redis[] = [];
  private closed = false;
  private readonly vault: PseudonymVault;

  constructor(
    readonly ctx: GatewayContext,
    private readonly submitJob: SubmitJobUseCase,
    readonly waiter: JobWaiter,
    private readonly cancelJob: CancelJobUseCase,
  ) {
    this.vault = pseudonymVaultFor(ctx);
  }

  /** Puts a pseudonymised job's values back into the deltas a stream relays. */
  restorer(record: JobRecord): Promise<<T>(value: T) => T> {
    return restorerFor(this.vault, record);
  }

  /** Submits a call's job; `requestCounted` when the API key guard counted the request. */
  submit(
    principal: Principal,
    body: unknown,
    traceparent: string | undefined,
    requestCounted: boolean,
  ): Promise<SubmitJobResult> {
    return this.submitJob.execute({ principal, body, traceparent, requestCounted });
  }

  /**
   * Resolves with the finished record, or throws the job's failure in OpenAI's shape. Returns
   * early (with the record as it is) when `signal` aborts.
   */
  async waitSucceeded(record: JobRecord, signal?: AbortSignal): Promise<JobRecord> {
    const deadline = Date.now() + MAX_WAIT_MS;
    let r = record;
    while (!isTerminal(r.status) && Date.now() < deadline && !signal?.aborted)
      r = await this.waiter.waitForTerminal(r, Math.min(60_000, deadline - Date.now()), signal);
    if (r.status === 'succeeded' || signal?.aborted) return r;
    if (!isTerminal(r.status))
      throw jobFailure(
        { code: 'timeout', message: 'The job did not finish in time', retryable: true },
        r.id,
      );
    throw jobFailure(r.error, r.id);
  }

  /**
   * The client of a synchronous call went away before its answer: nobody will read the result,
   * so the job is cancelled like `DELETE /v1/jobs/:id` (a queued job never runs, a running
   * provider call is aborted, the budget reservation is released). A job that finished
   * meanwhile stays as it is.
   */
  async abandon(principal: Principal, jobId: string): Promise<void> {
    try {
      await this.cancelJob.execute(
        principal,
        jobId,
        'Cancelled: the client closed the connection before the answer',
      );
      this.ctx.log.info({ jobId }, 'client went away; job cancelled');
    } catch (e) {
      if (e instanceof GatewayError && e.code === 'conflict') return;
      this.ctx.log.warn({ err: (e as Error).message, jobId }, 'cancelling an abandoned job failed');
    }
  }

  /** A connection for blocking reads; give it back with `release`. */
  borrow(): Redis {
    return this.idle.pop() ?? duplicateClient(this.ctx.redis);
  }

  release(conn: Redis): void {
    if (this.closed || this.idle.length >= POOL_IDLE) conn.disconnect();
    else this.idle.push(conn);
  }

  onModuleDestroy(): void {
    this.close();
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.disconnect();
  }
}
