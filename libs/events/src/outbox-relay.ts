import { metrics, type Logger } from '@gateway/observability';
import { duplicateClient, isCluster, type RedisClient as Redis } from '@gateway/storage';
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
    }
    // On one server one loop reads every shard's stream in one XREADGROUP, so a batch holds
    // what all shards gathered (a Redis Cluster keeps each shard in its own slot: one loop
    // per stream there).
    const groups = isCluster(this.redis) ? this.streams.map((s) => [s]) : [this.streams];
    for (const streams of groups) {
      const conn = duplicateClient(this.redis);
      conn.on('error', () => undefined);
      this.conns.push(conn);
      this.loops.push(this.loop(conn, streams));
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

  private async loop(conn: Redis, streams: readonly string[]): Promise<void> {
    // The batch bounds what one read returns across all the loop's streams.
    const batch = Math.max(1, Math.floor((this.opts.batch ?? 500) / streams.length));
    const claimIdle = this.opts.claimIdleMs ?? 30_000;
    let backoff = 200;
    // First our own pending entries (a restart with the same consumer name), then new ones.
    const cursors = new Map(streams.map((s) => [s, '0']));
    let lastClaim = 0;
    while (this.running) {
      try {
        let got: [string, StreamEntry[]][] = [];
        if (Date.now() - lastClaim > claimIdle) {
          lastClaim = Date.now();
          for (const stream of streams) {
            const claimed = (await conn.xautoclaim(
              stream,
              this.opts.group,
              this.opts.consumer,
              claimIdle,
              '0-0',
              'COUNT',
              batch,
            )) as [string, StreamEntry[]];
            const entries = claimed[1].filter((e) => e[1] !== null);
            if (entries.length) got.push([stream, entries]);
          }
        }
        if (got.length === 0) {
          const res = (await conn.xreadgroup(
            'GROUP',
            this.opts.group,
            this.opts.consumer,
            'COUNT',
            batch,
            'BLOCK',
            1000,
            'STREAMS',
            ...streams,
            ...streams.map((s) => cursors.get(s)!),
          )) as [string, StreamEntry[]][] | null;
          got = (res ?? []).filter(([, entries]) => entries.length > 0);
          for (const s of streams) {
            if (cursors.get(s) === '0' && !got.some(([name]) => name === s)) cursors.set(s, '>');
          }
          if (got.length === 0) continue;
        }
        await this.publish(got.flatMap(([, entries]) => entries));
        const ack = conn.multi();
        let n = 0;
        for (const [stream, entries] of got) {
          const ids = entries.map((e) => e[0]);
          ack.xack(stream, this.opts.group, ...ids).xdel(stream, ...ids);
          n += ids.length;
        }
        await ack.exec();
        this.delivered += n;
        metrics().outboxRelayed.inc(n);
        backoff = 200;
      } catch (e) {
        if (!this.running) break;
        this.log.warn(
          { err: (e as Error).message, streams: streams.join(',') },
          'outbox relay: Kafka or Redis unavailable; retrying',
        );
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
        // Re-read what we hold pending so nothing waits for the idle claim.
        for (const s of streams) cursors.set(s, '0');
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
