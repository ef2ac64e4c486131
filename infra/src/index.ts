import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureTopics,
  startKafka,
  type KafkaClientSecurity,
  type KafkaHandle,
  type SecureListener,
} from './kafka-broker';
import { freePort, run } from './process-utils';
import { clusterAnswers } from './redis-cluster';
import { startRedis, type RedisHandle } from './redis-server';

export * from './kafka-broker';
export * from './process-utils';
export * from './redis-server';
export * from './redis-cluster';

export interface InfraHandle {
  readonly redis: RedisHandle;
  readonly kafka: KafkaHandle;
  /** Stops what this process started: Kafka and Redis, in parallel. */
  stop(): Promise<void>;
}

/**
 * Brings up Redis and Kafka for the gateway: reuses servers that already answer at the given
 * addresses, otherwise starts local ones under `dataDir`, then creates the topics.
 * `npm start`, `npm test` and the platform test all go through this one function.
 */
export async function startInfra(opts: {
  repoRoot: string;
  dataDir: string;
  redisUrl: string;
  /** An existing Redis Cluster (`host:port` seeds) to use instead of a Redis at `redisUrl`. */
  redisClusterNodes?: readonly string[];
  kafkaBrokers: string[];
  topics: readonly string[];
  partitions: number;
  log: (m: string) => void;
  kafkaControllerPort?: number;
  /** The apps' Kafka TLS/SASL settings, for probing and creating topics on an existing broker. */
  kafkaClient?: KafkaClientSecurity;
  kafkaSecureListener?: SecureListener;
  /** Aborting stops the servers still starting (Ctrl-C during startup); the call rejects. */
  signal?: AbortSignal;
}): Promise<InfraHandle> {
  const [redisStart, kafkaStart] = await Promise.allSettled([
    opts.redisClusterNodes?.length
      ? useRedisCluster(opts.redisClusterNodes, opts.log)
      : startRedis({
          url: opts.redisUrl,
          dataDir: opts.dataDir,
          log: opts.log,
          signal: opts.signal,
        }),
    startKafka({
      brokers: opts.kafkaBrokers,
      dataDir: opts.dataDir,
      cacheDir: join(opts.repoRoot, '.gateway', 'cache'),
      repoRoot: opts.repoRoot,
      log: opts.log,
      controllerPort: opts.kafkaControllerPort,
      partitions: opts.partitions,
      client: opts.kafkaClient,
      secureListener: opts.kafkaSecureListener,
      signal: opts.signal,
    }),
  ]);
  // A server that started is stopped again when the other one (or creating the topics)
  // failed: a failed or cancelled start leaves nothing behind.
  const started = [redisStart, kafkaStart].flatMap((r) =>
    r.status === 'fulfilled' ? [r.value] : [],
  );
  const stop = async () => {
    await Promise.allSettled(started.map((h) => h.stop()));
  };
  if (redisStart.status === 'rejected' || kafkaStart.status === 'rejected') {
    await stop();
    const failed = [redisStart, kafkaStart].find(
      (r): r is PromiseRejectedResult => r.status === 'rejected',
    );
    throw failed?.reason;
  }
  const [redis, kafka] = [redisStart.value, kafkaStart.value];
  try {
    await ensureTopics(kafka.brokers, opts.topics, opts.partitions, opts.kafkaClient);
  } catch (e) {
    await stop();
    throw e;
  }
  return { redis, kafka, stop };
}

/** An existing Redis Cluster: checked, never started or stopped here. */
async function useRedisCluster(
  nodes: readonly string[],
  log: (m: string) => void,
): Promise<RedisHandle> {
  if (!(await clusterAnswers(nodes)))
    throw new Error(
      `The Redis Cluster at REDIS_CLUSTER_NODES=${nodes.join(',')} does not answer with cluster_state:ok; start it or unset REDIS_CLUSTER_NODES.`,
    );
  log(`Redis: using the Redis Cluster at ${nodes.join(', ')}`);
  return { url: `redis://${nodes[0]}`, child: undefined, stop: async () => undefined };
}

/** What a client needs for the private broker's SASL_SSL listener. */
export interface SecureKafka {
  readonly brokers: string[];
  /** The self-signed certificate the listener presents (the CA to trust). */
  readonly caFile: string;
  readonly username: string;
  readonly password: string;
}

/** A self-signed certificate for 127.0.0.1 and a SASL user, made with openssl. */
async function secureListenerFor(
  dir: string,
  port: number,
): Promise<{ listener: SecureListener; secure: Omit<SecureKafka, 'brokers'> }> {
  mkdirSync(dir, { recursive: true });
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  await run(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '7',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { quiet: true },
  );
  const username = 'gateway';
  const password = randomBytes(18).toString('base64url');
  return {
    listener: {
      port,
      keyPem: readFileSync(key, 'utf8'),
      certPem: readFileSync(cert, 'utf8'),
      users: { [username]: password },
    },
    secure: { caFile: cert, username, password },
  };
}

/**
 * A Redis and a Kafka of one's own, on free ports with fresh data under
 * `.gateway/<name>-<pid>` (tests and benches; never the development instance). The broker
 * also listens with SASL_SSL (`secure`) so the clients' TLS/SASL settings can be tested.
 */
export async function startPrivateInfra(
  repoRoot: string,
  name: string,
  log: (m: string) => void,
): Promise<InfraHandle & { dataDir: string; secure: SecureKafka }> {
  const dataDir = join(repoRoot, '.gateway', `${name}-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const [redisPort, kafkaPort, controllerPort, securePort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const tls = await secureListenerFor(join(dataDir, 'kafka-tls'), securePort);
  const infra = await startInfra({
    repoRoot,
    dataDir,
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
    kafkaControllerPort: controllerPort,
    kafkaSecureListener: tls.listener,
    topics: [],
    partitions: 3,
    log,
  });
  return {
    ...infra,
    dataDir,
    secure: { ...tls.secure, brokers: [`127.0.0.1:${securePort}`] },
  };
}
