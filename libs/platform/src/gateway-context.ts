import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  loadGatewayConfig,
  loadRuntimeEnv,
  type LoadedConfig,
  type RuntimeEnv,
} from '@gateway/config';
import { createKafka, kafkaSecurityOptions, resolveTopics, type Topics } from '@gateway/events';
import { createCipher, type PayloadCipher } from '@gateway/governance';
import { createLogger, type Logger } from '@gateway/observability';
import { adapterCatalogue } from '@gateway/providers';
import { JobQueues, JobStore, Keys } from '@gateway/queue';
import {
  createBlobStore,
  createRedisClient,
  isCluster,
  type BlobStore,
  type RedisClient,
} from '@gateway/storage';
import type { Kafka } from 'kafkajs';

/**
 * Everything an app of the gateway shares: environment, config, Redis, Kafka, the job store
 * and the queues. Built once at boot; config can be swapped on reload.
 */
export class GatewayContext {
  readonly env: RuntimeEnv;
  readonly log: Logger;
  readonly keys: Keys;
  readonly redis: RedisClient;
  readonly blobs: BlobStore;
  /** AES-256-GCM for data at rest, when `GATEWAY_ENCRYPTION_KEY` is set (rotation: README). */
  readonly cipher: PayloadCipher | undefined;
  readonly store: JobStore;
  readonly queues: JobQueues;
  readonly kafka: Kafka;
  readonly topics: Topics;
  private cfg: LoadedConfig;
  private watcher: FSWatcher | undefined;
  private readonly reloadListeners: ((c: LoadedConfig) => void)[] = [];

  constructor(
    readonly app: string,
    env: RuntimeEnv = loadRuntimeEnv(),
  ) {
    this.env = env;
    this.log = createLogger(app, env.logLevel, undefined, env.logRedact);
    this.cfg = loadGatewayConfig(env.configPath, env.vars, adapterCatalogue);
    for (const d of this.cfg.disabled) this.log.warn(d, 'deployment disabled');
    this.keys = new Keys(env.keyPrefix);
    const target = { url: env.redisUrl, clusterNodes: env.redisClusterNodes };
    // No auto-pipelining: commands go out as they are issued, those of one turn of the event
    // loop in one socket write (createRedisClient), none waiting for earlier replies. Measured
    // at c=64 submissions, auto-pipelining cost the ingest API more CPU per job (306 vs 265 us)
    // and kept one batch in flight per connection, so each step of a request waited for the
    // batch before.
    this.redis = createRedisClient(target, {
      maxRetriesPerRequest: null,
      enableAutoPipelining: false,
    });
    this.redis.on('error', (e: Error) => this.log.warn({ err: e.message }, 'redis error'));
    this.blobs = createBlobStore(
      env.blobStore.kind === 's3'
        ? env.blobStore
        : { kind: 'local', dir: join(env.dataDir, 'blobs') },
    );
    this.cipher = env.encryptionKey ? createCipher(env.encryptionKey) : undefined;
    this.store = new JobStore(this.redis, this.keys, this.blobs, {
      retentionSec: Math.round(this.cfg.jobs.retentionDays * 86400),
      inlineMaxBytes: this.cfg.jobs.inlineMaxBytes,
      cipher: this.cipher,
      queuesShareConnection: !isCluster(this.redis),
    });
    // BullMQ's queues and workers send on the same client (it has no retry limit, as BullMQ
    // needs) and duplicate it for their blocking reads. On one server that keeps a job's
    // write and its queue entry in order on one connection, and in one socket write when
    // issued in one turn (JobStore.create); on a Cluster every queue name is its own hash
    // tag, so each BullMQ script stays in one slot.
    this.queues = new JobQueues(this.redis, this.keys.bullPrefix());
    this.topics = resolveTopics(this.cfg.kafka.topics, env.topicPrefix);
    this.kafka = createKafka({
      clientId: `${env.kafkaClientId}-${app}`,
      brokers: env.kafkaBrokers,
      logger: this.log,
      extra: kafkaSecurityOptions(env.kafkaSecurity),
    });
  }

  /** The config in force; read it per use, never keep it. */
  config(): LoadedConfig {
    return this.cfg;
  }

  /** Re-reads gateway.yaml; an invalid file is refused and the old config kept. */
  reload(): { ok: true } | { ok: false; error: string } {
    try {
      const next = loadGatewayConfig(this.env.configPath, this.env.vars, adapterCatalogue);
      this.cfg = next;
      this.reloadListeners.forEach((l) => l(next));
      this.log.info({ path: this.env.configPath }, 'config reloaded');
      return { ok: true };
    } catch (e) {
      this.log.error(
        { err: (e as Error).message },
        'config reload refused; keeping the old config',
      );
      return { ok: false, error: (e as Error).message };
    }
  }

  /**
   * Reloads when gateway.yaml changes on disk (debounced), besides SIGHUP. Editors often
   * replace the file, so the folder is watched and filtered by name.
   */
  watchConfig(): void {
    if (this.watcher) return;
    const file = basename(this.env.configPath);
    let timer: NodeJS.Timeout | undefined;
    try {
      this.watcher = watch(dirname(this.env.configPath), (_event, name) => {
        if (name !== file) return;
        clearTimeout(timer);
        timer = setTimeout(() => this.reload(), 200);
      });
      this.watcher.on('error', () => undefined);
      this.watcher.unref();
    } catch (e) {
      this.log.warn(
        { err: (e as Error).message },
        'cannot watch the config file; SIGHUP still reloads',
      );
    }
  }

  onReload(listener: (c: LoadedConfig) => void): void {
    this.reloadListeners.push(listener);
  }

  async close(): Promise<void> {
    this.watcher?.close();
    await this.queues.close();
    this.redis.disconnect();
  }
}
