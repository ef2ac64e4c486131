/** One event waiting in the outbox for the relay to publish to Kafka. */
export interface OutboxEntry {
  /** Logical topic: the relay maps it to the configured Kafka topic name. */
  readonly topic: 'results' | 'audit';
  readonly key: string;
  /** The CloudEvent, serialised. */
  readonly value: string;
}
