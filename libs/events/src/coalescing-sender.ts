import type { Message, Producer } from 'kafkajs';

/** One caller's share of a coalesced send. */
interface Part {
  readonly byTopic: ReadonlyMap<string, readonly Message[]>;
  readonly bytes: number;
  readonly count: number;
  resolve(): void;
  reject(e: unknown): void;
}

/** Bounds of one produce request: under the broker's default 1 MiB per partition batch. */
const MAX_MESSAGES = 2000;
const MAX_BYTES = 768 * 1024;

const sizeOf = (m: Message) =>
  (typeof m.value === 'string' ? Buffer.byteLength(m.value) : (m.value?.length ?? 0)) + 64;

/**
 * Joins the sends of several callers (the outbox relay's shard loops) into fewer produce
 * requests: while one request is with Kafka (or lingers, `lingerMs`), what the others hand
 * in gathers and leaves as the next one. Each request then carries the batches of many
 * loops, so the broker and the client (whose cost is mostly per request) handle far fewer.
 * Each caller's promise settles with the request that carried its messages.
 */
export class CoalescingSender {
  private queue: Part[] = [];
  private busy = false;

  constructor(
    private readonly producer: Pick<Producer, 'sendBatch'>,
    /** How long what is handed in may wait for more before a request leaves (0: never). */
    private readonly lingerMs = 0,
    private readonly acks = -1,
  ) {}

  send(byTopic: ReadonlyMap<string, readonly Message[]>): Promise<void> {
    let bytes = 0;
    let count = 0;
    for (const list of byTopic.values()) {
      count += list.length;
      for (const m of list) bytes += sizeOf(m);
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ byTopic, bytes, count, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.queue.length > 0) {
      if (this.lingerMs > 0) await new Promise((r) => setTimeout(r, this.lingerMs));
      // Whole parts only: a part is acknowledged by exactly one request. The first part goes
      // even when it alone is over the bounds (a relay batch is bounded on its own).
      const take: Part[] = [];
      let bytes = 0;
      let count = 0;
      while (this.queue.length > 0) {
        const next = this.queue[0];
        if (
          take.length > 0 &&
          (bytes + next.bytes > MAX_BYTES || count + next.count > MAX_MESSAGES)
        )
          break;
        take.push(this.queue.shift()!);
        bytes += next.bytes;
        count += next.count;
      }
      const topics = new Map<string, Message[]>();
      for (const p of take) {
        for (const [topic, list] of p.byTopic) {
          const into = topics.get(topic);
          if (into) into.push(...list);
          else topics.set(topic, [...list]);
        }
      }
      try {
        await this.producer.sendBatch({
          acks: this.acks,
          topicMessages: [...topics].map(([topic, messages]) => ({ topic, messages })),
        });
        take.forEach((p) => p.resolve());
      } catch (e) {
        take.forEach((p) => p.reject(e));
      }
    }
    this.busy = false;
  }
}
