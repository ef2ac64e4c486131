import type { ProviderClass } from '@gateway/contracts';
import type { LoadedConfig } from '@gateway/config';
import {
  metrics,
  SpanKind,
  startSpan,
  traceparentOf,
  withActiveSpan,
  type Logger,
} from '@gateway/observability';
import { WaitingError, Worker, type Job } from 'bullmq';
import { duplicateClient, type RedisClient as Redis } from '@gateway/storage';
import type { JobQueues, QueuedJobData } from '../job-queues';
import { queueNameFor, type Keys } from '../keys';
import type { ProcessJobUseCase } from './process-job.usecase';
import { BackpressureKeys, gateSettings } from '../backpressure/backpressure-keys';
import { DownstreamGate, outboxBacklog, type BacklogProbe } from '../backpressure/downstream-gate';
import { FairAdmission } from '../backpressure/fair-admission';
import { ProviderGate, type CallReport } from '../backpressure/provider-gate';

/**
 * Runs the BullMQ workers of one provider class: one worker per deployment queue of that
 * class. The processor stays thin: it hands ids to the use case and translates its outcome
 * into BullMQ terms (retry with backoff, rate-limit pause without an attempt, release).
 */
export class WorkerHost {
  private readonly workers = new Map<string, Worker<QueuedJobData>>();
  private readonly inflight = new Map<string, AbortController>();
  private subscriber: Redis | undefined;
  private readonly gate: ProviderGate;
  private readonly fair: FairAdmission;
  private readonly probes: BacklogProbe[];
  private downstream: DownstreamGate | undefined;
  private current: LoadedConfig | undefined;

  constructor(
    private readonly cls: ProviderClass,
    /** The process's client: BullMQ's workers send on it and duplicate it for blocking reads. */
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly queues: JobQueues,
    private readonly useCase: ProcessJobUseCase,
    private readonly log: Logger,
  ) {
    const bpKeys = new BackpressureKeys(keys.prefix, keys.bullPrefix());
    this.gate = new ProviderGate(redis, bpKeys);
    this.fair = new FairAdmission(redis, bpKeys);
    this.probes = [outboxBacklog(redis, keys)];
  }

  /** Adds a downstream backlog (e.g. webhook deliveries) to the bound workers honour. */
  addBacklogProbe(probe: BacklogProbe): void {
    this.probes.push(probe);
  }

  async start(config: LoadedConfig): Promise<void> {
    this.subscriber = duplicateClient(this.redis);
    this.subscriber.on('error', () => undefined);
    await this.subscriber.subscribe(this.keys.cancelChannel());
    this.subscriber.on('message', (_ch: string, jobId: string) =>
      this.inflight.get(jobId)?.abort(),
    );
    this.sync(config);
    this.downstream = new DownstreamGate(
      this.probes,
      () => {
        const bp = (this.current ?? config).backpressure;
        return { high: bp.outboxHighWater, low: bp.outboxLowWater };
      },
      (blocked, backlog) => {
        this.log.warn(
          { backlog, blocked },
          blocked
            ? 'downstream backlog high: pausing workers'
            : 'downstream drained: resuming workers',
        );
        for (const w of this.workers.values()) {
          if (blocked) void w.pause(true);
          else void w.resume();
        }
      },
    );
    this.downstream.start();
  }

  /** Starts workers for deployments of this class that have none yet (boot and reload). */
  sync(config: LoadedConfig): void {
    this.current = config;
    const disabled = new Set(config.disabled.map((d) => d.deployment));
    for (const d of config.deployments) {
      if (d.class !== this.cls || disabled.has(d.id) || this.workers.has(d.id)) continue;
      const worker = new Worker<QueuedJobData>(
        queueNameFor(d.id),
        (job, token) => this.process(d.id, job, token),
        {
          connection: this.redis,
          prefix: this.keys.bullPrefix(),
          concurrency: d.limits.maxConcurrency,
          autorun: true,
          // Stalled jobs (a worker killed mid-call) return to the queue quickly.
          stalledInterval: 5000,
          maxStalledCount: 10,
          lockDuration: 30_000,
        },
      );
      worker.on('error', (err) =>
        this.log.warn({ err: err.message, deployment: d.id }, 'worker error'),
      );
      this.workers.set(d.id, worker);
      // Until a call settles and reports the shared adaptive limit, the one it starts from.
      const gs = gateSettings(d);
      metrics().concurrencyLimit.set(
        { deployment: d.id },
        gs.adaptive.enabled ? Math.min(gs.maxConcurrency, gs.adaptive.initial) : gs.maxConcurrency,
      );
      this.log.info({ deployment: d.id, concurrency: d.limits.maxConcurrency }, 'worker started');
    }
  }

  private async process(
    deploymentId: string,
    job: Job<QueuedJobData>,
    token?: string,
  ): Promise<void> {
    const ac = new AbortController();
    this.inflight.set(job.data.jobId, ac);
    // The worker's span continues the submission's trace; its traceparent travels on to the
    // result events (and a fallback's queue entry).
    const span = startSpan(
      'job.process',
      job.data.traceparent,
      { 'gateway.job_id': job.data.jobId, 'gateway.deployment': deploymentId },
      SpanKind.CONSUMER,
    );
    metrics().inflight.inc({ deployment: deploymentId });
    const deployment = this.current?.deploymentById.get(deploymentId);
    // Read the job while it waits for its slot (see ProcessJobUseCase.load).
    const loaded = deployment ? this.useCase.load(job.data.jobId) : undefined;
    loaded?.catch(() => undefined);
    try {
      // The distributed gate: wait for a slot under the deployment's adaptive limit.
      const got = deployment
        ? await this.gate.acquire(deploymentId, gateSettings(deployment), ac.signal)
        : undefined;
      if (got?.kind === 'paused') {
        if (
          got.reason === 'breaker' &&
          (await this.useCase.fallBackFromOpenCircuit(deploymentId, job.data, ac.signal))
        ) {
          return;
        }
        await this.queues.queue(deploymentId).rateLimit(got.ms);
        throw Worker.RateLimitError();
      }
      if (got?.kind === 'aborted') {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const lease = got?.lease;
      if (lease) void this.fair.started(deploymentId, job.opts.priority ?? 0).catch(() => 0);
      let report: CallReport | undefined;
      // The slot goes back as soon as the provider answers, not after the result is stored:
      // the limit counts calls at the provider, not the job's bookkeeping.
      let settled: Promise<unknown> | undefined;
      const settle = (r?: CallReport) =>
        (settled ??= lease ? this.gate.settle(lease, r).catch(() => 0) : Promise.resolve());
      let outcome;
      try {
        outcome = await withActiveSpan(span, () =>
          this.useCase.execute({
            deploymentId,
            data: { ...job.data, traceparent: traceparentOf(span) },
            attemptsMade: job.attemptsMade,
            maxAttempts: job.opts.attempts ?? 1,
            signal: ac.signal,
            loaded,
            onCall: (r) => void settle((report = r)),
          }),
        );
      } finally {
        await settle(report);
      }
      span.setAttribute('gateway.outcome', outcome.kind);
      switch (outcome.kind) {
        case 'done':
          return;
        case 'retry':
          throw outcome.error;
        case 'rate_limited':
          await this.queues.queue(deploymentId).rateLimit(outcome.retryAfterMs);
          throw Worker.RateLimitError();
        case 'released':
          await job.moveToWait(token);
          throw new WaitingError();
      }
    } finally {
      this.inflight.delete(job.data.jobId);
      metrics().inflight.dec({ deployment: deploymentId });
      span.end();
    }
  }

  /**
   * Stops taking jobs and lets in-flight ones finish within `graceMs`; after that, aborts
   * them so they return to their queue for another worker.
   */
  async close(graceMs: number): Promise<void> {
    this.downstream?.stop();
    this.gate.close();
    const closing = Promise.allSettled([...this.workers.values()].map((w) => w.close()));
    const timer = setTimeout(() => this.inflight.forEach((ac) => ac.abort()), graceMs);
    await closing;
    clearTimeout(timer);
    this.workers.clear();
    this.subscriber?.disconnect();
  }
}
