import type { JobRecord } from '@gateway/contracts';
import { activeTraceId, jobLogger, type Logger } from '@gateway/observability';
import type { ProviderError } from '@gateway/providers';
import type { JobObserver } from './process-job.usecase';

/**
 * One log line per outcome of a job in the worker, carrying the job's ids and trace id, so an
 * operator can follow a job from its id. Never payloads: only codes, counts and timings.
 */
export class LogObserver implements JobObserver {
  constructor(private readonly log: Logger) {}

  onSucceeded(record: JobRecord): void {
    this.of(record).info(
      { task: record.task, usage: record.usage, costUsd: record.costUsd, timings: record.timings },
      'job succeeded',
    );
  }

  onFailed(record: JobRecord): void {
    this.of(record).warn(
      { task: record.task, code: record.error?.code, timings: record.timings },
      'job failed',
    );
  }

  onRetry(deploymentId: string, error: ProviderError, record: JobRecord): void {
    this.of(record, deploymentId).info({ code: error.code }, 'job attempt will be retried');
  }

  onFallback(from: string, to: string, error: ProviderError, record: JobRecord): void {
    this.of(record, from).info({ from, to, code: error.code }, 'job fell back');
  }

  private of(record: JobRecord, deployment = record.route.deployment): Logger {
    return jobLogger(this.log, {
      jobId: record.id,
      tenantId: record.tenantId,
      deployment,
      traceId: activeTraceId(),
    });
  }
}
