import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { hasCommand, run, stopProcess, untilReady, waitFor } from './process-utils';

export interface RedisHandle {
  readonly url: string;
  /** Set when this process started the server; undefined when an existing one is used. */
  readonly child: ChildProcess | undefined;
  stop(): Promise<void>;
}

/** True when a Redis server answers PING at `url`. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Installs redis-server with apt-get when we may; otherwise fails with the command to run. */
export async function ensureRedisServerInstalled(
  log: (m: string) => void,
  isRoot = process.getuid?.() === 0,
): Promise<void> {
  if (hasCommand('redis-server')) return;
  if (isRoot && hasCommand('apt-get')) {
    log('redis-server is missing: installing it with apt-get (Debian/Ubuntu)...');
    await run('apt-get', ['update', '-q'], { quiet: true });
    await run('apt-get', ['install', '-y', '-q', 'redis-server'], {
      quiet: true,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return;
  }
  throw new Error(
    'redis-server is not installed. Install it with: sudo apt-get update && sudo apt-get install -y redis-server ' +
      '(or point REDIS_URL at a running Redis 7).',
  );
}

/**
 * Uses the Redis at `url` when one answers there; otherwise starts a local redis-server on
 * that port with AOF (everysec) and noeviction, its data under `dataDir`.
 */
export async function startRedis(opts: {
  url: string;
  dataDir: string;
  log: (m: string) => void;
  /** Aborting stops a server still starting (Ctrl-C during startup). */
  signal?: AbortSignal;
}): Promise<RedisHandle> {
  if (await redisAnswers(opts.url)) {
    opts.log(`Redis: using the server at ${opts.url}`);
    return { url: opts.url, child: undefined, stop: async () => undefined };
  }
  const u = new URL(opts.url);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(u.hostname)) {
    throw new Error(
      `Nothing answers at REDIS_URL=${opts.url}; start that Redis or unset REDIS_URL.`,
    );
  }
  await ensureRedisServerInstalled(opts.log);
  const port = Number(u.port || 6379);
  const dir = join(opts.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const conf = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    'appendonly yes',
    'appendfsync everysec',
    'maxmemory-policy noeviction',
    'save ""',
    'protected-mode yes',
    `logfile ${join(dir, 'redis.log')}`,
  ].join('\n');
  const confPath = join(dir, 'redis.conf');
  writeFileSync(confPath, conf + '\n');
  const child = spawn('redis-server', [confPath], { stdio: 'ignore', detached: true });
  await untilReady(
    child,
    (stopWaiting) =>
      waitFor(`Redis on port ${port}`, () => redisAnswers(opts.url, 500), 15_000, 200, stopWaiting),
    { what: 'redis-server', exitHint: join(dir, 'redis.log'), graceMs: 5000, signal: opts.signal },
  );
  opts.log(`Redis: started redis-server on ${opts.url} (pid ${child.pid}, data in ${dir})`);
  return {
    url: opts.url,
    child,
    stop: () => stopProcess(child, 5000),
  };
}
