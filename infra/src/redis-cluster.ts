import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { freePort, run, stopProcess, waitFor } from './process-utils';
import { ensureRedisServerInstalled, redisAnswers } from './redis-server';

export interface RedisClusterHandle {
  /** `host:port` of every master, the value for REDIS_CLUSTER_NODES. */
  readonly nodes: readonly string[];
  readonly children: readonly ChildProcess[];
  stop(): Promise<void>;
}

/** True when a Cluster client at `nodes` (`host:port`) reaches `cluster_state:ok`. */
export async function clusterAnswers(nodes: readonly string[], timeoutMs = 3000): Promise<boolean> {
  const client = new Cluster(
    nodes.map((n) => ({ host: n.split(':')[0], port: Number(n.split(':')[1]) })),
    { lazyConnect: true, clusterRetryStrategy: () => null, enableOfflineQueue: false },
  );
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  // A cluster still forming can leave connect() pending for good: the probe gives up instead.
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = (async () => {
    await client.connect();
    const info = await client.cluster('INFO');
    return String(info).includes('cluster_state:ok');
  })().catch(() => false);
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/**
 * Starts a Redis Cluster of `masters` masters (no replicas) from the local redis-server on
 * free loopback ports, data under `dataDir/redis-cluster`, and joins them with
 * `redis-cli --cluster create`. For tests and benches; AOF is off (the cluster is thrown
 * away with the run). The bus port of each node is chosen free too, not port + 10000.
 */
export async function startRedisCluster(opts: {
  dataDir: string;
  log: (m: string) => void;
  masters?: number;
}): Promise<RedisClusterHandle> {
  await ensureRedisServerInstalled(opts.log);
  const count = opts.masters ?? 3;
  const children: ChildProcess[] = [];
  const nodes: string[] = [];
  const stop = async () => {
    await Promise.allSettled(children.map((c) => stopProcess(c, 5000)));
  };
  try {
    for (let i = 0; i < count; i++) {
      const [port, busPort] = [await freePort(), await freePort()];
      const dir = join(opts.dataDir, 'redis-cluster', String(port));
      mkdirSync(dir, { recursive: true });
      const conf = [
        `port ${port}`,
        `cluster-port ${busPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        'cluster-enabled yes',
        'cluster-config-file nodes.conf',
        'cluster-node-timeout 5000',
        'appendonly no',
        'save ""',
        'maxmemory-policy noeviction',
        'protected-mode yes',
        `logfile ${join(dir, 'redis.log')}`,
      ].join('\n');
      writeFileSync(join(dir, 'redis.conf'), conf + '\n');
      const child = spawn('redis-server', [join(dir, 'redis.conf')], {
        stdio: 'ignore',
        detached: true,
      });
      children.push(child);
      nodes.push(`127.0.0.1:${port}`);
      await waitFor(
        `Redis cluster node on port ${port}`,
        () => redisAnswers(`redis://127.0.0.1:${port}`, 500),
        15_000,
      );
    }
    await run(
      'redis-cli',
      ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'],
      { quiet: true },
    );
    await waitFor('Redis Cluster state ok', () => clusterAnswers(nodes), 30_000, 250);
  } catch (e) {
    await stop();
    throw e;
  }
  opts.log(`Redis Cluster: ${count} masters on ${nodes.join(', ')}`);
  return { nodes, children, stop };
}
