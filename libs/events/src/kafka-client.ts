import { readFileSync } from 'node:fs';
import type { KafkaSecurityEnv } from '@gateway/config';
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

/** The client's TLS and SASL settings, the PEM files read once. */
export function kafkaSecurityOptions(sec: KafkaSecurityEnv): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const pem = (file: string | undefined) => (file ? readFileSync(file, 'utf8') : undefined);
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (sec.ssl) {
    const { caFile, certFile, keyFile, rejectUnauthorized } = sec.ssl;
    out.ssl = {
      rejectUnauthorized,
      ...(caFile ? { ca: [pem(caFile)!] } : {}),
      ...(certFile ? { cert: pem(certFile) } : {}),
      ...(keyFile ? { key: pem(keyFile) } : {}),
    };
  }
  if (sec.sasl) {
    const { mechanism, username, password } = sec.sasl;
    // Spelled out per mechanism: kafkajs types SASL options as a union on the mechanism.
    out.sasl =
      mechanism === 'plain'
        ? { mechanism, username, password }
        : mechanism === 'scram-sha-256'
          ? { mechanism, username, password }
          : { mechanism, username, password };
  }
  return out;
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
