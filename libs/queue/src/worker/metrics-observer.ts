import type { JobRecord } from '@gateway/contracts';
import {
  metrics,
  recordSpan,
  type FinishedStatus,
  type GatewayMetrics,
} from '@gateway/observability';
import type { ProviderError } from '@gateway/providers';
import type { JobObserver } from './process-job.usecase';

/**
 * Counts a job that reached a terminal status (and its end-to-end latency). Workers call it
 * for succeeded and failed jobs; the ingest for cancelled ones and cache hits, which never
 * reach a worker.
 */
export function countFinished(record: JobRecord, m: GatewayMetrics = metrics()): void {
  if (record.status !== 'succeeded' && record.status !== 'failed' && record.status !== 'cancelled')
    return;
  const status: FinishedStatus = record.status;
  m.jobsFinished.inc({
    task: record.task,
    deployment: record.route.deployment,
    tenant: record.tenantId,
    status,
  });
  if (record.timings)
    m.jobDuration.observe(
      { task: record.task, deployment: record.route.deployment, status },
      record.timings.totalMs / 1000,
    );
}

/**
 * Turns a job's life in the worker into metrics, and each provider call into a span (child
 * of the worker's span, which is active while the observer runs).
 */
export class MetricsObserver implements JobObserver {
  constructor(
    private readonly providerOf: (deploymentId: string) => string | undefined,
    private readonly m: GatewayMetrics = metrics(),
  ) {}

  onProviderCall(deploymentId: string, latencyMs: number, error: ProviderError | null): void {
    const outcome = error ? error.code : 'ok';
    const provider = this.providerOf(deploymentId) ?? 'unknown';
    this.m.providerDuration.observe(
      { deployment: deploymentId, provider, outcome },
      latencyMs / 1000,
    );
    if (error?.code === 'rate_limited') this.m.rateLimited.inc({ deployment: deploymentId });
    recordSpan(
      'provider.call',
      {
        'gateway.deployment': deploymentId,
        'gateway.provider': provider,
        'gateway.outcome': outcome,
      },
      latencyMs,
      error ? error.code : undefined,
    );
  }

  onSucceeded(record: JobRecord): void {
    countFinished(record, this.m);
    const labels = { tenant: record.tenantId, deployment: record.route.deployment };
    if (record.usage) {
      this.m.tokens.inc({ ...labels, direction: 'input' }, record.usage.inputTokens);
      this.m.tokens.inc({ ...labels, direction: 'output' }, record.usage.outputTokens);
    }
    if (record.costUsd) this.m.costUsd.inc(labels, record.costUsd);
  }

  onFailed(record: JobRecord): void {
    countFinished(record, this.m);
    this.m.jobFailures.inc({
      deployment: record.route.deployment,
      code: record.error?.code ?? 'unknown',
    });
  }

  onRetry(deploymentId: string, error: ProviderError): void {
    this.m.retries.inc({ deployment: deploymentId, code: error.code });
  }

  onFallback(from: string, to: string): void {
    this.m.fallbacks.inc({ from, to });
  }
}
