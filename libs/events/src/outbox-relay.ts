import { metrics, type Logger } from '@gateway/observability';
import { duplicateClient, type RedisClient as Redis } from '@gateway/storage';
import type { Message, Producer } from 'kafkajs';
import { CoalescingSender } from './coalescing-sender';
import type { Topics } from './kafka-client';
import { eventHeaders } from './trace-headers';

type StreamEntry = [id: string, fields: string[]];

/**
 * Moves outbox entries from the Redis streams to Kafka, at least once: an entry is
 * acknowledged and deleted only after Kafka has accepted it. While Kafka is down entries
 * wait in Redis; entries left pending by a relay that died are claimed after `claimIdleMs`.
 */
export class OutboxRelay {
  private running = false;
  private readonly loops: Promise<void>[] = [];
  private readonly conns: Redis[] = [];
  /** The shard loops' batches share produce requests. */
  private readonly sender: CoalescingSender;
  delivered = 0;

  constructor(
    private readonly redis: Redis,
    producer: Producer,
    private readonly streams: readonly string[],
    private readonly topics: Topics,
    private readonly log: Logger,
    private readonly opts: {
      group: string;
      consumer: string;
      batch?: number;
      claimIdleMs?: number;
      /** See {@link CoalescingSender}: how long events may gather before a produce request. */
      lingerMs?: number;
      /**
       * Called with the values of a batch's result events before the batch goes to Kafka;
       * a failure leaves the batch pending, so the hook runs again (it must be idempotent).
       */
      beforePublish?: (resultValues: string[]) => Promise<unknown>;
      /**
       * Called with the same values once Kafka acknowledged the batch, before the entries
       * are deleted; a failure leaves them pending (so it must be idempotent too).
       */
      afterPublish?: (resultValues: string[]) => Promise<unknown>;
    } = {
      group: 'relay',
      consumer: 'relay-1',
    },
  ) {
    this.sender = new CoalescingSender(producer, opts.lingerMs ?? 0);
  }

  async start(): Promise<void> {
    this.running = true;
    for (const stream of this.streams) {
      await this.redis
        .xgroup('CREATE', stream, this.opts.group, '0', 'MKSTREAM')
        .catch((e: Error) => (e.message.includes('BUSYGROUP') ? undefined : Promise.reject(e)));
      const conn = duplicateClient(this.redis);
      conn.on('error', () => undefined);
      this.conns.push(conn);
      this.loops.push(this.loop(conn, stream));
    }
  }

  /** Entries not yet delivered, across all streams (the downstream backlog). */
  async backlog(): Promise<number> {
    // One XLEN per stream (each shard is its own Redis Cluster slot), in flight together.
    const lens = await Promise.all(this.streams.map((s) => this.redis.xlen(s)));
    return lens.reduce((n, v) => n + v, 0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.conns.forEach((c) => c.disconnect());
    await Promise.allSettled(this.loops);
  }

  private async loop(conn: Redis, stream: string): Promise<void> {
    const batch = this.opts.batch ?? 500;
    const claimIdle = this.opts.claimIdleMs ?? 30_000;
    let backoff = 200;
    // First our own pending entries (a restart with the same consumer name), then new ones.
    let cursor = '0';
    let lastClaim = 0;
    while (this.running) {
      try {
        let entries: StreamEntry[] = [];
        if (Date.now() - lastClaim > claimIdle) {
          lastClaim = Date.now();
          const claimed = (await conn.xautoclaim(
            stream,
            this.opts.group,
            this.opts.consumer,
            claimIdle,
            '0-0',
            'COUNT',
            batch,
          )) as [string, StreamEntry[]];
          entries = claimed[1].filter((e) => e[1] !== null);
        }
        if (entries.length === 0) {
          const res = (await conn.xreadgroup(
            'GROUP',
            this.opts.group,
            this.opts.consumer,
            'COUNT',
            batch,
            'BLOCK',
            1000,
            'STREAMS',
            stream,
            cursor,
          )) as [string, StreamEntry[]][] | null;
          entries = res?.[0]?.[1] ?? [];
          if (cursor === '0' && entries.length === 0) cursor = '>';
          if (entries.length === 0) continue;
        }
        await this.publish(entries);
        const ids = entries.map((e) => e[0]);
        await conn
          .multi()
          .xack(stream, this.opts.group, ...ids)
          .xdel(stream, ...ids)
          .exec();
        this.delivered += ids.length;
        metrics().outboxRelayed.inc(ids.length);
        backoff = 200;
      } catch (e) {
        if (!this.running) break;
        this.log.warn(
          { err: (e as Error).message, stream },
          'outbox relay: Kafka or Redis unavailable; retrying',
        );
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
        // Re-read what we hold pending so nothing waits for the idle claim.
        cursor = '0';
      }
    }
  }

  private async publish(entries: StreamEntry[]): Promise<void> {
    const results = entries
      .map(([, f]) => toMap(f))
      .filter((f) => f.t !== 'audit')
      .map((f) => f.v);
    if (this.opts.beforePublish) await this.opts.beforePublish(results);
    const byTopic = new Map<string, Message[]>();
    for (const [, fields] of entries) {
      const f = toMap(fields);
      const topic = f.t === 'audit' ? this.topics.audit : this.topics.results;
      const list = byTopic.get(topic) ?? [];
      list.push({
        key: f.k,
        value: f.v,
        headers: eventHeaders(f.v),
      });
      byTopic.set(topic, list);
    }
    await this.sender.send(byTopic);
    if (this.opts.afterPublish) await this.opts.afterPublish(results);
  }
}

function toMap(fields: string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) o[fields[i]] = fields[i + 1];
  return o;
}
