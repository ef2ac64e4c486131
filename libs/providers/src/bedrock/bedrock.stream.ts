import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One decoded frame of an AWS event stream (`application/vnd.amazon.eventstream`). */
export interface AwsStreamEvent {
  /** `event`, `exception` or `error`. */
  readonly messageType: string;
  /** `:event-type` of events, `:exception-type` of exceptions, `:error-code` of errors. */
  readonly name: string;
  readonly payload: string;
}

function headerText(m: Message, name: string): string | undefined {
  const h = m.headers[name];
  return h && h.type === 'string' ? h.value : undefined;
}

/** Splits a byte stream into event-stream frames (each prefixed by its total length) and decodes them. */
export async function* decodeAwsEventStream(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<AwsStreamEvent> {
  let buffer: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : Buffer.from(chunk);
    while (buffer.length >= 4) {
      const total = buffer.readUInt32BE(0);
      if (buffer.length < total) break;
      const message = codec.decode(buffer.subarray(0, total));
      buffer = buffer.subarray(total);
      const messageType = headerText(message, ':message-type') ?? 'event';
      const name =
        (messageType === 'exception'
          ? headerText(message, ':exception-type')
          : messageType === 'error'
            ? headerText(message, ':error-code')
            : headerText(message, ':event-type')) ?? '';
      const payload =
        messageType === 'error'
          ? (headerText(message, ':error-message') ?? '')
          : toUtf8(message.body);
      yield { messageType, name, payload };
    }
  }
}

/** Encodes one event frame (for test servers and fixtures). */
export function encodeAwsEvent(messageType: string, name: string, payload: unknown): Uint8Array {
  const nameHeader = messageType === 'exception' ? ':exception-type' : ':event-type';
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: messageType },
      [nameHeader]: { type: 'string', value: name },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}
