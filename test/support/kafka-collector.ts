import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { printProcessWarnings } from '@gateway/observability';

// kafkajs's known negative timer stays off stderr; other warnings print as usual.
printProcessWarnings();

export interface CollectedEvent {
  readonly topic: string;
  readonly key: string | null;
  readonly value: Record<string, unknown>;
  readonly headers: Record<string, string>;
}

/** Reads topics from the beginning in the background, for assertions on what reached Kafka. */
export class KafkaCollector {
  readonly events: CollectedEvent[] = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly brokers: string[],
    private readonly topics: string[],
  ) {}

  async start(): Promise<this> {
    const kafka = new Kafka({
      clientId: 'test-collector',
      brokers: this.brokers,
      logLevel: logLevel.NOTHING,
    });
    this.consumer = kafka.consumer({
      groupId: `test-${randomBytes(6).toString('hex')}`,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        this.events.push({
          topic,
          key: message.key?.toString() ?? null,
          value: JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown>,
          headers,
        });
      },
    });
    return this;
  }

  /** Waits until `pred` holds over the collected events, or fails after `timeoutMs`. */
  async waitFor(
    what: string,
    pred: (events: CollectedEvent[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.events)) {
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${what}; have ${this.events.length} events`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
