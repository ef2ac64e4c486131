import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { Logger } from '@gateway/observability';

/** Topic names after configuration and the per-run prefix. */
export interface Topics {
  readonly requests: string;
  readonly requestsDlq: string;
  readonly results: string;
  readonly audit: string;
}

export function resolveTopics(
  names: { requests: string; requestsDlq: string; results: string; audit: string },
  prefix = '',
): Topics {
  return {
    requests: prefix + names.requests,
    requestsDlq: prefix + names.requestsDlq,
    results: prefix + names.results,
    audit: prefix + names.audit,
  };
}

/** One kafkajs client per process, logging through pino. */
export function createKafka(opts: {
  clientId: string;
  brokers: readonly string[];
  logger?: Logger;
  extra?: Partial<KafkaConfig>;
}): Kafka {
  const logger = opts.logger;
  return new Kafka({
    clientId: opts.clientId,
    brokers: [...opts.brokers],
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, retries: 5, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        if (!logger) return;
        const { message, ...rest } = log;
        const fields = {
          kafka: { namespace: rest.logger, broker: rest.broker, error: rest.error },
        };
        if (level <= logLevel.ERROR) logger.error(fields, message);
        else logger.warn(fields, message);
      },
    ...opts.extra,
  });
}
