import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Latency buckets in seconds: 5 ms to 2 min, enough for both HTTP answers and model calls. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** How a job ended, as the `status` label of the finished counter. */
export type FinishedStatus = 'succeeded' | 'failed' | 'cancelled';

/**
 * Why admission refused: the reason label of `gateway_admission_rejected_total` (a fixed set,
 * so the label stays bounded).
 */
export type AdmissionRejectReason = 'rate_limit' | 'deployment_queue' | 'tenant_queue' | 'budget';

/**
 * Every metric of the gateway, in one registry per process. Names follow Prometheus
 * conventions (base units, `_total` counters, `gateway_` namespace). Labels take only
 * bounded values: task, deployment, provider, tenant (all configured), status, error code
 * (the gateway's fixed taxonomy) and route templates (never raw URLs or job ids).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly collectors: (() => Promise<void>)[] = [];

  readonly httpDuration = new Histogram({
    name: 'gateway_http_request_duration_seconds',
    help: 'HTTP request latency by route template, method and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly jobsSubmitted = new Counter({
    name: 'gateway_jobs_submitted_total',
    help: 'Jobs accepted, by task, first-choice deployment and tenant',
    labelNames: ['task', 'deployment', 'tenant'] as const,
    registers: [this.registry],
  });

  readonly jobsFinished = new Counter({
    name: 'gateway_jobs_finished_total',
    help: 'Jobs that reached a terminal status (succeeded, failed, cancelled)',
    labelNames: ['task', 'deployment', 'tenant', 'status'] as const,
    registers: [this.registry],
  });

  readonly jobFailures = new Counter({
    name: 'gateway_job_failures_total',
    help: 'Failed jobs by deployment and error code',
    labelNames: ['deployment', 'code'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'gateway_job_duration_seconds',
    help: 'End-to-end job latency (accepted to terminal) by task and deployment',
    labelNames: ['task', 'deployment', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly providerDuration = new Histogram({
    name: 'gateway_provider_request_duration_seconds',
    help: 'Latency of model calls by deployment, provider and outcome',
    labelNames: ['deployment', 'provider', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly tokens = new Counter({
    name: 'gateway_tokens_total',
    help: 'Tokens consumed by tenant, deployment and direction (input, output)',
    labelNames: ['tenant', 'deployment', 'direction'] as const,
    registers: [this.registry],
  });

  readonly costUsd = new Counter({
    name: 'gateway_cost_usd_total',
    help: 'Spend in US dollars by tenant and deployment',
    labelNames: ['tenant', 'deployment'] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'gateway_provider_rate_limited_total',
    help: 'Provider 429 answers that paused a deployment queue',
    labelNames: ['deployment'] as const,
    registers: [this.registry],
  });

  readonly retries = new Counter({
    name: 'gateway_job_retries_total',
    help: 'Attempts retried on the same deployment, by error code',
    labelNames: ['deployment', 'code'] as const,
    registers: [this.registry],
  });

  readonly fallbacks = new Counter({
    name: 'gateway_job_fallbacks_total',
    help: 'Jobs moved to the next candidate deployment',
    labelNames: ['from', 'to'] as const,
    registers: [this.registry],
  });

  readonly cacheHits = new Counter({
    name: 'gateway_cache_hits_total',
    help: 'Jobs answered from the result cache, by task',
    labelNames: ['task'] as const,
    registers: [this.registry],
  });

  readonly admissionRejected = new Counter({
    name: 'gateway_admission_rejected_total',
    help: 'Requests and jobs refused at admission (HTTP or Kafka ingress) by error code and reason',
    labelNames: ['code', 'reason'] as const,
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: 'gateway_queue_jobs',
    help: 'Jobs in a deployment queue by state (waiting, active, delayed, failed, prioritized)',
    labelNames: ['deployment', 'state'] as const,
    registers: [this.registry],
  });

  readonly queuePaused = new Gauge({
    name: 'gateway_queue_paused',
    help: '1 when a deployment queue is paused by an operator',
    labelNames: ['deployment'] as const,
    registers: [this.registry],
  });

  readonly concurrencyLimit = new Gauge({
    name: 'gateway_concurrency_limit',
    help: 'Adaptive concurrency limit of a deployment (shared by all workers) as this worker last saw it',
    labelNames: ['deployment'] as const,
    registers: [this.registry],
  });

  readonly inflight = new Gauge({
    name: 'gateway_inflight_jobs',
    help: 'Jobs being processed for a deployment in this worker process',
    labelNames: ['deployment'] as const,
    registers: [this.registry],
  });

  readonly breakerState = new Gauge({
    name: 'gateway_breaker_state',
    help: 'Circuit breaker of a deployment: 0 closed, 1 half-open, 2 open',
    labelNames: ['deployment'] as const,
    registers: [this.registry],
  });

  readonly outboxBacklog = new Gauge({
    name: 'gateway_outbox_backlog',
    help: 'Outbox entries waiting to be relayed to Kafka',
    registers: [this.registry],
  });

  readonly outboxRelayed = new Counter({
    name: 'gateway_outbox_relayed_total',
    help: 'Outbox entries relayed to Kafka (result and audit events)',
    registers: [this.registry],
  });

  readonly webhookBacklog = new Gauge({
    name: 'gateway_webhook_backlog',
    help: 'Webhook deliveries by state (waiting, active, delayed for a retry, dead)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly kafkaIngressLag = new Gauge({
    name: 'gateway_kafka_ingress_lag_messages',
    help: 'Messages of the request topic past the ingress group committed offset, by partition',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gateway_process_' });
  }

  /** Adds a scrape-time collector (e.g. queue depths read from Redis). Errors are swallowed. */
  onCollect(fn: () => Promise<void>): void {
    this.collectors.push(fn);
  }

  /** The text exposition, after running the scrape-time collectors. */
  async render(): Promise<{ contentType: string; body: string }> {
    await Promise.allSettled(this.collectors.map((c) => c()));
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

let current: GatewayMetrics | undefined;

/** The metrics of this process; the app's main names itself once (the `app` label). */
export function metrics(app?: string): GatewayMetrics {
  current ??= new GatewayMetrics();
  if (app) current.registry.setDefaultLabels({ app });
  return current;
}
