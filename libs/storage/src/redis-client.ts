import { Cluster, Redis, type RedisOptions } from 'ioredis';

/**
 * The gateway's Redis connection: one server (`REDIS_URL`) or a Redis Cluster
 * (`REDIS_CLUSTER_NODES`). Both speak the same commands; on a Cluster every command, MULTI,
 * Lua script and pipeline must keep its keys in one hash slot (the key layout's `{tags}`).
 */
export type RedisClient = Redis | Cluster;

/** Where Redis is: a URL for one server, or the seed nodes of a Cluster. */
export interface RedisTarget {
  readonly url: string;
  readonly clusterNodes?: readonly { readonly host: string; readonly port: number }[];
}

const COALESCED = Symbol('coalescedWrites');
type Coalescable = { write: (...a: unknown[]) => boolean; cork(): void; uncork(): void };

/**
 * Commands issued in the same turn of the event loop leave in one socket write: the first
 * write of a turn corks the connection's socket and the turn's end uncorks it. Unlike
 * ioredis's auto-pipelining nothing waits for an earlier batch's replies, and each process
 * exchange with Redis costs a wake-up on both sides, so fewer writes is less CPU for both.
 * Applied to every socket the client opens (reconnects included).
 */
function coalesceWrites(redis: Redis): Redis {
  const wrap = () => {
    const stream = (redis as unknown as { stream?: Coalescable & { [COALESCED]?: true } }).stream;
    if (!stream || stream[COALESCED]) return;
    stream[COALESCED] = true;
    const write = stream.write.bind(stream);
    let corked = false;
    const uncork = () => {
      corked = false;
      stream.uncork();
    };
    stream.write = (...a: unknown[]) => {
      if (!corked) {
        corked = true;
        stream.cork();
        setImmediate(uncork);
      }
      return write(...a);
    };
  };
  redis.on('connect', wrap);
  wrap();
  return redis;
}

/** Builds a client for `target` with `options` applied to every connection it opens. */
export function createRedisClient(target: RedisTarget, options: RedisOptions = {}): RedisClient {
  if (!target.clusterNodes?.length) return coalesceWrites(new Redis(target.url, options));
  const { enableAutoPipelining, lazyConnect, retryStrategy, enableOfflineQueue, ...perNode } =
    options;
  return new Cluster(
    target.clusterNodes.map((n) => ({ host: n.host, port: n.port })),
    {
      enableAutoPipelining,
      lazyConnect,
      enableOfflineQueue,
      clusterRetryStrategy: retryStrategy ? (times) => retryStrategy(times) : undefined,
      // A slot's owner may move (resharding, failover); MOVED/ASK are followed, and a
      // command sent while the slot table is refreshed waits instead of failing.
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 200,
      slotsRefreshTimeout: 2000,
      redisOptions: perNode,
    },
  );
}

/**
 * A second connection like `redis` (pub/sub and blocking reads need their own). The two
 * branches look alike but call different methods: TypeScript cannot call `duplicate` on the
 * union, whose signatures differ.
 */
export function duplicateClient(redis: RedisClient): RedisClient {
  return isCluster(redis) ? redis.duplicate() : redis.duplicate();
}

export function isCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster;
}

/**
 * Every key matching `match`, in batches handed to `onBatch`. A Cluster keeps each key on
 * one master, so the scan runs on every master in turn. At most `maxRounds` SCAN calls per
 * node, so a pass is bounded however many keys there are.
 */
export async function scanKeys(
  redis: RedisClient,
  match: string,
  onBatch: (keys: string[]) => Promise<void>,
  opts: { count?: number; maxRounds?: number } = {},
): Promise<void> {
  const nodes: Redis[] = isCluster(redis) ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    for (let round = 0; round < (opts.maxRounds ?? 10_000); round++) {
      const [next, found] = await node.scan(cursor, 'MATCH', match, 'COUNT', opts.count ?? 500);
      cursor = next;
      if (found.length) await onBatch(found);
      if (cursor === '0') break;
    }
  }
}

/**
 * Deletes `keys`, which may lie in different slots: one DEL on a single server, one DEL per
 * key on a Cluster (in flight together). Returns how many existed.
 */
export async function deleteKeys(redis: RedisClient, keys: readonly string[]): Promise<number> {
  if (!keys.length) return 0;
  if (!isCluster(redis)) return redis.del(...keys);
  const counts = await Promise.all(keys.map((k) => redis.del(k)));
  return counts.reduce((a, b) => a + b, 0);
}

/** GET of many keys that may lie in different slots (MGET on a single server). */
export async function getMany(
  redis: RedisClient,
  keys: readonly string[],
): Promise<(string | null)[]> {
  if (!keys.length) return [];
  if (!isCluster(redis)) return redis.mget(...keys);
  return Promise.all(keys.map((k) => redis.get(k)));
}
