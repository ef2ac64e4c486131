import type { Logger } from '@gateway/observability';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Topics } from './kafka-client';

/** One request message as the handler sees it. */
export interface IngressMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
  /** Header names in lower case; values as UTF-8 text. */
  readonly headers: Readonly<Record<string, string>>;
}

/** What became of one message. */
export type IngressVerdict =
  | { readonly kind: 'accepted'; readonly jobId: string; readonly created: boolean }
  /** Refused for good (invalid, unauthorised...): goes to the DLQ, the offset moves on. */
  | {
      readonly kind: 'rejected';
      readonly code: string;
      readonly message: string;
      readonly details?: unknown[];
    }
  /** Not now (queue full, rate limited): the partition pauses and the message is retried. */
  | { readonly kind: 'retry'; readonly afterMs: number; readonly reason: string };

export type IngressHandler = (m: IngressMessage) => Promise<IngressVerdict>;

export interface RequestIngressOptions {
  readonly groupId: string;
  /** Messages of one partition handled at once (the job store and BullMQ do the ordering). */
  readonly concurrency?: number;
}

/** Headers as text; `authorization` never leaves this function for the DLQ. */
export function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    out[name.toLowerCase()] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

function dlqHeaders(m: KafkaMessage, topic: string, partition: number, v: IngressVerdict) {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    if (name.toLowerCase() !== 'authorization' && value !== undefined) headers[name] = value;
  }
  if (v.kind !== 'rejected') return headers;
  headers['gateway-error-code'] = v.code;
  headers['gateway-error-message'] = v.message;
  if (v.details) headers['gateway-error-details'] = JSON.stringify(v.details).slice(0, 4096);
  headers['gateway-source'] = `${topic}/${partition}/${m.offset}`;
  return headers;
}

/** The offset to commit after `offset`: Kafka commits the next message to read. */
const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();

/**
 * Consumes `ai.requests.v1` in a consumer group. A message's offset is committed only after
 * the handler has durably enqueued it; a crash in between replays it,
 * and the handler's idempotency makes that harmless. Rejected messages go to the DLQ in a
 * Kafka transaction together with their offsets, so a crash never writes a DLQ message twice
 * (read-committed consumers see each rejection once). The transactional id belongs to the
 * input partition, so whoever owns the partition next fences a dead owner's open transaction.
 */
export class RequestIngress {
  private consumer: Consumer | undefined;
  private readonly dlqProducers = new Map<number, Promise<Producer>>();
  accepted = 0;
  rejected = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: Topics,
    private readonly log: Logger,
    private readonly handle: IngressHandler,
    private readonly opts: RequestIngressOptions,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.opts.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topics.requests], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      // Offsets are committed by each partition's own batch, in order with its DLQ
      // transactions: an automatic commit (run after any partition's batch) could carry this
      // partition's older position past a transaction's commit and move the group back.
      autoCommit: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    const producers = [...this.dlqProducers.values()];
    this.dlqProducers.clear();
    await Promise.all(
      producers.map((p) => p.then((producer) => producer.disconnect()).catch(() => undefined)),
    );
  }

  /** One transactional producer per input partition, made on its first rejection. */
  private dlqProducer(topic: string, partition: number): Promise<Producer> {
    let producer = this.dlqProducers.get(partition);
    if (!producer) {
      producer = (async () => {
        const p = this.kafka.producer({
          transactionalId: `${this.opts.groupId}.dlq.${topic}.${partition}`,
          idempotent: true,
          maxInFlightRequests: 1,
          transactionTimeout: 30_000,
        });
        await p.connect();
        return p;
      })();
      producer.catch(() => this.dlqProducers.delete(partition));
      this.dlqProducers.set(partition, producer);
    }
    return producer;
  }

  /** DLQ messages and the offset after `lastOffset`, committed together or not at all. */
  private async deadLetter(
    batch: EachBatchPayload['batch'],
    dead: { m: KafkaMessage; v: IngressVerdict }[],
    lastOffset: string,
  ): Promise<void> {
    const producer = await this.dlqProducer(batch.topic, batch.partition);
    const tx = await producer.transaction();
    try {
      await tx.send({
        topic: this.topics.requestsDlq,
        messages: dead.map(({ m, v }) => ({
          key: m.key,
          value: m.value,
          headers: dlqHeaders(m, batch.topic, batch.partition, v),
        })),
      });
      await tx.sendOffsets({
        consumerGroupId: this.opts.groupId,
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: nextOffset(lastOffset) }],
          },
        ],
      });
      await tx.commit();
    } catch (e) {
      await tx.abort().catch(() => undefined);
      throw e;
    }
  }

  private async eachBatch(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    // Backpressure comes from the handler: a full queue or a rate limit answers `retry`, and
    // the partition pauses for the Retry-After it names.
    const size = this.opts.concurrency ?? 32;
    for (let i = 0; i < batch.messages.length; i += size) {
      if (!p.isRunning() || p.isStale()) return;
      const chunk = batch.messages.slice(i, i + size);
      const verdicts = await Promise.all(
        chunk.map((m) => this.handle(this.toIngress(m, batch.partition))),
      );
      const retryAt = verdicts.findIndex((v) => v.kind === 'retry');
      const settled = retryAt < 0 ? chunk.length : retryAt;
      const dead = chunk
        .slice(0, settled)
        .map((m, j) => ({ m, v: verdicts[j] }))
        .filter(({ v }) => v.kind === 'rejected');
      if (dead.length > 0) await this.deadLetter(batch, dead, chunk[settled - 1].offset);
      else if (settled > 0) await this.commit(batch, chunk[settled - 1].offset);
      this.rejected += dead.length;
      this.accepted += settled - dead.length;
      if (settled > 0) p.resolveOffset(chunk[settled - 1].offset);
      await p.heartbeat();
      if (retryAt >= 0) {
        const v = verdicts[retryAt] as Extract<IngressVerdict, { kind: 'retry' }>;
        this.pauseFor(p, v.afterMs, v.reason);
        return;
      }
    }
  }

  /** Commits this partition's position after `lastOffset` (its jobs are durably enqueued). */
  private async commit(batch: EachBatchPayload['batch'], lastOffset: string): Promise<void> {
    await this.consumer?.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: nextOffset(lastOffset) },
    ]);
  }

  private pauseFor(p: EachBatchPayload, ms: number, reason: string): void {
    this.log.info({ partition: p.batch.partition, ms, reason }, 'ingress paused');
    const resume = p.pause();
    setTimeout(resume, Math.max(50, Math.min(ms, 30_000))).unref();
  }

  private toIngress(m: KafkaMessage, partition: number): IngressMessage {
    return {
      partition,
      offset: m.offset,
      key: m.key ? m.key.toString('utf8') : null,
      value: m.value ? m.value.toString('utf8') : null,
      headers: textHeaders(m.headers),
    };
  }
}
