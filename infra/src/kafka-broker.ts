import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { hasCommand, run, stopProcess, untilReady, waitFor } from './process-utils';

/** The Kafka version the broker runs (kept in sync with infra/kafka/pom.xml). */
export const KAFKA_VERSION = '4.1.2';

/** TLS and SASL settings of a client (from KAFKA_SSL* / KAFKA_SASL_* in the apps' env). */
export type KafkaClientSecurity = Pick<KafkaConfig, 'ssl' | 'sasl'>;

/** A SASL_SSL listener beside the plaintext one (tests of the clients' TLS/SASL settings). */
export interface SecureListener {
  readonly port: number;
  /** PEM private key and certificate (for 127.0.0.1) the broker presents. */
  readonly keyPem: string;
  readonly certPem: string;
  /** SASL/PLAIN users the listener accepts. */
  readonly users: Readonly<Record<string, string>>;
}

export interface KafkaHandle {
  readonly brokers: string[];
  readonly child: ChildProcess | undefined;
  /** The SASL_SSL address when the broker was started with a secure listener. */
  readonly secureBrokers?: string[];
  stop(): Promise<void>;
}

/** True when an admin client can describe the cluster at `brokers`. */
export async function kafkaAnswers(
  brokers: string[],
  timeoutMs = 3000,
  client: KafkaClientSecurity = {},
): Promise<boolean> {
  const kafka = new Kafka({
    ...client,
    clientId: 'gateway-probe',
    brokers,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const JAVA_FIX = 'sudo apt-get install -y openjdk-17-jre-headless (or set KAFKA_BROKERS)';

/** The major version `java -version` reports (8 for "1.8.0_392"), or undefined if unreadable. */
export function javaMajorVersion(): number | undefined {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr ?? ''}${r.stdout ?? ''}`);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] ? Number(m[2]) : first;
}

/** The Kafka 4.x broker runs on Java 17 or later: fails with the fix otherwise. */
export function ensureJava(): void {
  if (!hasCommand('java')) throw new Error(`Java 17+ is needed to run Kafka: ${JAVA_FIX}.`);
  const major = javaMajorVersion();
  if (major !== undefined && major < 17)
    throw new Error(`Kafka ${KAFKA_VERSION} needs Java 17+, found Java ${major}: ${JAVA_FIX}.`);
}

/** Resolves the broker's jars from Maven Central into `cacheDir` once; returns the folder. */
export async function resolveKafkaJars(
  repoRoot: string,
  cacheDir: string,
  log: (m: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  const libs = join(cacheDir, `kafka-${KAFKA_VERSION}`, 'libs');
  const marker = join(libs, '.complete');
  if (existsSync(marker)) return libs;
  if (!hasCommand('mvn')) {
    throw new Error(
      'Maven is needed to fetch Kafka: sudo apt-get install -y maven (or set KAFKA_BROKERS).',
    );
  }
  log(
    `Kafka: resolving org.apache.kafka:kafka_2.13:${KAFKA_VERSION} with Maven (first run only)...`,
  );
  mkdirSync(libs, { recursive: true });
  await run(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(repoRoot, 'infra', 'kafka', 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${libs}`,
      '-DincludeScope=runtime',
      `-Dkafka.version=${KAFKA_VERSION}`,
    ],
    { quiet: true, signal },
  );
  if (!readdirSync(libs).some((f) => f.startsWith('kafka_2.13-'))) {
    throw new Error(`Maven did not fetch the Kafka jars into ${libs}`);
  }
  writeFileSync(marker, new Date().toISOString());
  return libs;
}

/** JAAS text in a properties value: quotes and backslashes escaped. */
const jaasQuote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function secureListenerProperties(secure: SecureListener, keystore: string): string[] {
  const [user, password] = Object.entries(secure.users)[0];
  const accounts = Object.entries(secure.users)
    .map(([u, p]) => `user_${u}=${jaasQuote(p)}`)
    .join(' ');
  return [
    'listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN',
    'listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ' +
      `username=${jaasQuote(user)} password=${jaasQuote(password)} ${accounts};`,
    'listener.name.sasl_ssl.ssl.keystore.type=PEM',
    `listener.name.sasl_ssl.ssl.keystore.location=${keystore}`,
  ];
}

function serverProperties(
  port: number,
  controllerPort: number,
  logDir: string,
  partitions: number,
  secure?: { listener: SecureListener; keystore: string },
): string {
  const extra = secure ? `,SASL_SSL://127.0.0.1:${secure.listener.port}` : '';
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}${extra}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}${extra}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${secure ? ',SASL_SSL:SASL_SSL' : ''}`,
    ...(secure ? secureListenerProperties(secure.listener, secure.keystore) : []),
    `log.dirs=${logDir}`,
    `num.partitions=${partitions}`,
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'log.retention.hours=168',
    'log.segment.bytes=67108864',
    'num.network.threads=2',
    'num.io.threads=4',
  ].join('\n');
}

function log4jProperties(logFile: string): string {
  return [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = FILE',
    `appender.file.fileName = ${logFile}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = warn',
    'rootLogger.appenderRef.file.ref = FILE',
    'logger.kafka.name = kafka',
    'logger.kafka.level = warn',
    'logger.server.name = kafka.server.KafkaServer',
    'logger.server.level = info',
  ].join('\n');
}

/**
 * Uses the broker at `brokers` when one answers; otherwise starts a single-node KRaft broker
 * (combined mode) on that port with the JDK, its storage formatted once under `dataDir`.
 */
export async function startKafka(opts: {
  brokers: string[];
  dataDir: string;
  cacheDir: string;
  repoRoot: string;
  log: (m: string) => void;
  controllerPort?: number;
  partitions?: number;
  heapMb?: number;
  /** The apps' TLS/SASL settings: a broker that needs them is an existing one, never ours. */
  client?: KafkaClientSecurity;
  secureListener?: SecureListener;
  /** Aborting stops a broker still starting (Ctrl-C during startup). */
  signal?: AbortSignal;
}): Promise<KafkaHandle> {
  if (await kafkaAnswers(opts.brokers, 2000, opts.client)) {
    opts.log(`Kafka: using the broker at ${opts.brokers.join(',')}`);
    return { brokers: opts.brokers, child: undefined, stop: async () => undefined };
  }
  const [host, portText] = opts.brokers[0].split(':');
  const secured = Boolean(opts.client?.ssl || opts.client?.sasl);
  if (secured || opts.brokers.length !== 1 || !['127.0.0.1', 'localhost'].includes(host)) {
    throw new Error(
      `No Kafka broker answers at KAFKA_BROKERS=${opts.brokers.join(',')}${secured ? ' with the KAFKA_SSL/KAFKA_SASL settings' : ''}; start it or unset KAFKA_BROKERS.`,
    );
  }
  const port = Number(portText || 9092);
  const controllerPort = opts.controllerPort ?? port + 1;
  // Checked before the jars are fetched and on every start: cached jars still need a JDK.
  ensureJava();
  const libs = await resolveKafkaJars(opts.repoRoot, opts.cacheDir, opts.log, opts.signal);
  const dir = resolve(opts.dataDir, 'kafka');
  const logDir = join(dir, 'data');
  mkdirSync(logDir, { recursive: true });
  const props = join(dir, 'server.properties');
  let secure: { listener: SecureListener; keystore: string } | undefined;
  if (opts.secureListener) {
    const keystore = join(dir, 'listener-keystore.pem');
    writeFileSync(keystore, `${opts.secureListener.keyPem}\n${opts.secureListener.certPem}\n`, {
      mode: 0o600,
    });
    secure = { listener: opts.secureListener, keystore };
  }
  writeFileSync(
    props,
    serverProperties(port, controllerPort, logDir, opts.partitions ?? 6, secure) + '\n',
  );
  const log4j = join(dir, 'log4j2.properties');
  writeFileSync(log4j, log4jProperties(join(dir, 'server.log')) + '\n');
  const heap = opts.heapMb ?? 512;
  const jvm = [
    `-Xms${Math.min(256, heap)}m`,
    `-Xmx${heap}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4j}`,
    '-cp',
    `${libs}/*`,
  ];
  if (!existsSync(join(logDir, 'meta.properties'))) {
    // A base64url id may start with "-", which the tool's argument parser takes for an option.
    const clusterId = 'A' + randomBytes(16).toString('base64url').slice(1);
    await run('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props], {
      quiet: true,
      signal: opts.signal,
    });
  }
  const out = openSync(join(dir, 'stdout.log'), 'a');
  const child = spawn('java', [...jvm, 'kafka.Kafka', props], {
    stdio: ['ignore', out, out],
    detached: true,
  });
  await untilReady(
    child,
    (stopWaiting) =>
      waitFor(
        `Kafka on port ${port}`,
        () => kafkaAnswers(opts.brokers, 1000),
        90_000,
        300,
        stopWaiting,
      ),
    { what: 'Kafka', exitHint: join(dir, 'server.log'), graceMs: 5000, signal: opts.signal },
  );
  opts.log(`Kafka: started a KRaft broker on 127.0.0.1:${port} (pid ${child.pid}, data in ${dir})`);
  return {
    brokers: opts.brokers,
    child,
    ...(secure ? { secureBrokers: [`127.0.0.1:${secure.listener.port}`] } : {}),
    // 5 s: with the apps' 4 s, Ctrl-C finishes within the promised 10 s.
    stop: () => stopProcess(child, 5000),
  };
}

/** Creates topics that don't exist yet. */
export async function ensureTopics(
  brokers: string[],
  topics: readonly string[],
  partitions: number,
  client: KafkaClientSecurity = {},
): Promise<void> {
  const admin = new Kafka({
    ...client,
    clientId: 'gateway-setup',
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    // A broker that has just started may not know its own new topics yet: try a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        const existing = new Set(await admin.listTopics());
        const missing = topics.filter((t) => !existing.has(t));
        if (missing.length) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((topic) => ({
              topic,
              numPartitions: partitions,
              replicationFactor: 1,
            })),
          });
        }
        return;
      } catch (e) {
        if (attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}
