import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

const RuntimeEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** Seed nodes of a Redis Cluster (`host:port,...`); when set, REDIS_URL is not used. */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(
      /^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/,
      'comma-separated host:port seed nodes, e.g. 10.0.0.1:7000,10.0.0.2:7000',
    )
    .optional(),
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().default('ai-gateway'),
  /** TLS to the brokers; the PEM files are optional (the system CAs apply without a CA file). */
  KAFKA_SSL: z.enum(['true', 'false']).default('false'),
  KAFKA_SSL_CA_FILE: z.string().optional(),
  KAFKA_SSL_CERT_FILE: z.string().optional(),
  KAFKA_SSL_KEY_FILE: z.string().optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: z.enum(['true', 'false']).default('true'),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  GATEWAY_CONFIG: z.string().default('gateway.yaml'),
  GATEWAY_ADMIN_KEY: z.string().min(16).optional(),
  GATEWAY_DATA_DIR: z.string().default('.gateway'),
  /** Prefix of every Redis key and BullMQ queue (tests give each run its own). */
  GATEWAY_KEY_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9:_-]+$/)
    .default('gw'),
  /** Prefix for Kafka topics and consumer groups (tests give each run its own). */
  GATEWAY_TOPIC_PREFIX: z.string().default(''),
  GATEWAY_ENCRYPTION_KEY: z.string().optional(),
  /** This process among its replicas (names its outbox relay consumer); default the host name. */
  GATEWAY_INSTANCE_ID: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,100}$/)
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Extra log fields to redact (pino paths, comma-separated): the operator's own PII fields. */
  LOG_REDACT: z
    .string()
    .regex(
      /^\s*[\w$*."'[\]-]+\s*(,\s*[\w$*."'[\]-]+\s*)*$/,
      'comma-separated pino redact paths, e.g. req.headers["x-user-email"],*.customerName',
    )
    .optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().optional(),
  /** Where blobs (large payloads, batch files) live: `local` (GATEWAY_DATA_DIR/blobs) or `s3`. */
  GATEWAY_BLOB_STORE: z.enum(['local', 's3']).default('local'),
  GATEWAY_S3_BUCKET: z.string().min(3).optional(),
  GATEWAY_S3_REGION: z.string().default('us-east-1'),
  GATEWAY_S3_ENDPOINT: z.url().optional(),
  GATEWAY_S3_PREFIX: z.string().optional(),
  GATEWAY_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).optional(),
  GATEWAY_S3_ACCESS_KEY_ID: z.string().optional(),
  GATEWAY_S3_SECRET_ACCESS_KEY: z.string().optional(),
  /** Largest file `POST /v1/files` accepts. */
  GATEWAY_FILES_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(100 * 1024 * 1024),
  /**
   * Seconds one hour of a batch's `completion_window` lasts. Only tests change it, to watch a
   * batch expire in seconds; the API still takes the window in hours.
   */
  GATEWAY_BATCH_HOUR_SECONDS: z.coerce.number().int().min(1).max(3600).default(3600),
});

/** Every environment variable the apps read (the README's configuration table lists each). */
export const RUNTIME_ENV_NAMES: readonly string[] = Object.freeze(
  Object.keys(RuntimeEnvSchema.shape),
);

export type BlobStoreEnv =
  | { readonly kind: 'local' }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly region: string;
      readonly endpoint?: string;
      readonly prefix?: string;
      readonly forcePathStyle?: boolean;
      readonly accessKeyId?: string;
      readonly secretAccessKey?: string;
    };

/** How clients reach the brokers: TLS (PEM file paths) and SASL, both optional. */
export interface KafkaSecurityEnv {
  readonly ssl?: {
    readonly caFile?: string;
    readonly certFile?: string;
    readonly keyFile?: string;
    readonly rejectUnauthorized: boolean;
  };
  readonly sasl?: {
    readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    readonly username: string;
    readonly password: string;
  };
}

/** Process settings from the environment, read once at boot. */
export interface RuntimeEnv {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  readonly redisUrl: string;
  /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES); undefined for one Redis at redisUrl. */
  readonly redisClusterNodes:
    readonly { readonly host: string; readonly port: number }[] | undefined;
  readonly kafkaBrokers: readonly string[];
  readonly kafkaClientId: string;
  readonly kafkaSecurity: KafkaSecurityEnv;
  readonly configPath: string;
  readonly adminKey: string | undefined;
  readonly dataDir: string;
  readonly keyPrefix: string;
  readonly topicPrefix: string;
  readonly encryptionKey: string | undefined;
  readonly instanceId: string;
  readonly logLevel: string;
  /** Extra pino redact paths (LOG_REDACT) beside the built-in secrets and PII. */
  readonly logRedact: readonly string[];
  readonly metricsPort: number | undefined;
  readonly bodyLimitBytes: number;
  readonly otlpEndpoint: string | undefined;
  /** The blob store: local directory under dataDir, or an S3-compatible bucket. */
  readonly blobStore: BlobStoreEnv;
  readonly filesMaxBytes: number;
  /** Seconds one hour of a batch's `completion_window` lasts (3600 but in tests). */
  readonly batchHourSeconds: number;
  /** The raw environment, for `${ENV}` interpolation in gateway.yaml only. */
  readonly vars: Readonly<Record<string, string | undefined>>;
}

export function loadRuntimeEnv(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): RuntimeEnv {
  const parsed = RuntimeEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.GATEWAY_BLOB_STORE === 's3' && !e.GATEWAY_S3_BUCKET)
    throw new Error(
      'Invalid environment:\n  GATEWAY_S3_BUCKET: required when GATEWAY_BLOB_STORE=s3',
    );
  const clusterNodes = e.REDIS_CLUSTER_NODES?.split(',').map((n) => {
    const [host, port] = n.trim().split(':');
    return { host, port: Number(port) };
  });
  const badNode = clusterNodes?.find((n) => n.port < 1 || n.port > 65535);
  if (badNode)
    throw new Error(
      `Invalid environment:\n  REDIS_CLUSTER_NODES: port ${badNode.port} of ${badNode.host} is not between 1 and 65535`,
    );
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const saslParts = [e.KAFKA_SASL_MECHANISM, e.KAFKA_SASL_USERNAME, e.KAFKA_SASL_PASSWORD];
  if (saslParts.some((v) => v !== undefined) && saslParts.some((v) => v === undefined))
    throw new Error(
      'Invalid environment:\n  KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: set all three or none',
    );
  if (
    e.KAFKA_SSL !== 'true' &&
    (e.KAFKA_SSL_CA_FILE || e.KAFKA_SSL_CERT_FILE || e.KAFKA_SSL_KEY_FILE)
  )
    throw new Error('Invalid environment:\n  KAFKA_SSL_*_FILE: set KAFKA_SSL=true to use them');
  if (!e.KAFKA_SSL_CERT_FILE !== !e.KAFKA_SSL_KEY_FILE)
    throw new Error(
      'Invalid environment:\n  KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: a client certificate needs both',
    );
  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    redisUrl: e.REDIS_URL,
    redisClusterNodes: clusterNodes && Object.freeze(clusterNodes.map((n) => Object.freeze(n))),
    kafkaBrokers: Object.freeze(
      e.KAFKA_BROKERS.split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    ),
    kafkaClientId: e.KAFKA_CLIENT_ID,
    kafkaSecurity: Object.freeze({
      ...(e.KAFKA_SSL === 'true'
        ? {
            ssl: Object.freeze({
              caFile: e.KAFKA_SSL_CA_FILE && abs(e.KAFKA_SSL_CA_FILE),
              certFile: e.KAFKA_SSL_CERT_FILE && abs(e.KAFKA_SSL_CERT_FILE),
              keyFile: e.KAFKA_SSL_KEY_FILE && abs(e.KAFKA_SSL_KEY_FILE),
              rejectUnauthorized: e.KAFKA_SSL_REJECT_UNAUTHORIZED === 'true',
            }),
          }
        : {}),
      ...(e.KAFKA_SASL_MECHANISM
        ? {
            sasl: Object.freeze({
              mechanism: e.KAFKA_SASL_MECHANISM,
              username: e.KAFKA_SASL_USERNAME!,
              password: e.KAFKA_SASL_PASSWORD!,
            }),
          }
        : {}),
    }),
    configPath: abs(e.GATEWAY_CONFIG),
    adminKey: e.GATEWAY_ADMIN_KEY,
    dataDir: abs(e.GATEWAY_DATA_DIR),
    keyPrefix: e.GATEWAY_KEY_PREFIX,
    topicPrefix: e.GATEWAY_TOPIC_PREFIX,
    encryptionKey: e.GATEWAY_ENCRYPTION_KEY,
    instanceId: e.GATEWAY_INSTANCE_ID ?? hostname(),
    logLevel: e.LOG_LEVEL,
    logRedact: Object.freeze(
      (e.LOG_REDACT ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    ),
    metricsPort: e.METRICS_PORT,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    blobStore:
      e.GATEWAY_BLOB_STORE === 's3'
        ? Object.freeze({
            kind: 's3' as const,
            bucket: e.GATEWAY_S3_BUCKET!,
            region: e.GATEWAY_S3_REGION,
            endpoint: e.GATEWAY_S3_ENDPOINT,
            prefix: e.GATEWAY_S3_PREFIX,
            forcePathStyle:
              e.GATEWAY_S3_FORCE_PATH_STYLE === undefined
                ? undefined
                : e.GATEWAY_S3_FORCE_PATH_STYLE === 'true',
            accessKeyId: e.GATEWAY_S3_ACCESS_KEY_ID,
            secretAccessKey: e.GATEWAY_S3_SECRET_ACCESS_KEY,
          })
        : Object.freeze({ kind: 'local' as const }),
    filesMaxBytes: e.GATEWAY_FILES_MAX_BYTES,
    batchHourSeconds: e.GATEWAY_BATCH_HOUR_SECONDS,
    vars: Object.freeze({ ...env }),
  });
}
