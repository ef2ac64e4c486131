import type { GatewayMetrics } from '@gateway/observability';
import type { Admin, Kafka } from 'kafkajs';

/** A partition's offsets as kafkajs' admin reports them (strings). */
export interface PartitionEnds {
  readonly partition: number;
  readonly low: string;
  readonly high: string;
}

/**
 * Messages not yet consumed per partition: the high watermark minus the group's committed
 * offset. A partition the group never committed is read from its beginning (the ingress
 * consumer subscribes `fromBeginning`), so its lag is everything still retained.
 */
export function ingressLag(
  ends: readonly PartitionEnds[],
  committed: readonly { partition: number; offset: string }[],
): Map<number, number> {
  const done = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  const lag = new Map<number, number>();
  for (const e of ends) {
    const high = Number(e.high);
    const c = done.get(e.partition) ?? -1;
    lag.set(e.partition, Math.max(0, high - (c >= 0 ? c : Number(e.low))));
  }
  return lag;
}

/**
 * Sets `gateway_kafka_ingress_lag_messages` at every scrape from the broker's offsets. One
 * admin connection is kept for the scrapes; a broker that does not answer leaves the last
 * values (the scrape itself never fails on it).
 */
export function collectIngressLag(
  kafka: Kafka,
  topic: string,
  groupId: string,
  m: GatewayMetrics,
): { stop(): Promise<void> } {
  let admin: Admin | undefined;
  let connected: Promise<void> | undefined;
  m.onCollect(async () => {
    admin ??= kafka.admin();
    connected ??= admin.connect().catch((e: unknown) => {
      connected = undefined;
      throw e;
    });
    await connected;
    const [ends, groups] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const committed = groups.find((g) => g.topic === topic)?.partitions ?? [];
    for (const [partition, n] of ingressLag(ends, committed))
      m.kafkaIngressLag.set({ partition: String(partition) }, n);
  });
  return {
    stop: async () => {
      await admin?.disconnect().catch(() => undefined);
    },
  };
}
