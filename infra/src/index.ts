import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTopics, startKafka, type KafkaHandle } from './kafka-broker';
import { freePort } from './process-utils';
import { startRedis, type RedisHandle } from './redis-server';

export * from './kafka-broker';
export * from './process-utils';
export * from './redis-server';

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
  kafkaBrokers: string[];
  topics: readonly string[];
  partitions: number;
  log: (m: string) => void;
  kafkaControllerPort?: number;
}): Promise<InfraHandle> {
  const [redis, kafka] = await Promise.all([
    startRedis({ url: opts.redisUrl, dataDir: opts.dataDir, log: opts.log }),
    startKafka({
      brokers: opts.kafkaBrokers,
      dataDir: opts.dataDir,
      cacheDir: join(opts.repoRoot, '.gateway', 'cache'),
      repoRoot: opts.repoRoot,
      log: opts.log,
      controllerPort: opts.kafkaControllerPort,
      partitions: opts.partitions,
    }),
  ]);
  await ensureTopics(kafka.brokers, opts.topics, opts.partitions);
  return {
    redis,
    kafka,
    stop: async () => {
      await Promise.allSettled([kafka.stop(), redis.stop()]);
    },
  };
}

/**
 * A Redis and a Kafka of one's own, on free ports with fresh data under
 * `.gateway/<name>-<pid>` (tests and benches; never the development instance).
 */
export async function startPrivateInfra(
  repoRoot: string,
  name: string,
  log: (m: string) => void,
): Promise<InfraHandle & { dataDir: string }> {
  const dataDir = join(repoRoot, '.gateway', `${name}-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const [redisPort, kafkaPort, controllerPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const infra = await startInfra({
    repoRoot,
    dataDir,
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
    kafkaControllerPort: controllerPort,
    topics: [],
    partitions: 3,
    log,
  });
  return { ...infra, dataDir };
}
