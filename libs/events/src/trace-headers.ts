/**
 * The W3C `traceparent` of a structured CloudEvent, read from the envelope only (the part
 * before `"data":`), so the relay can put it in the Kafka headers without parsing payloads.
 */
export function traceparentOfEvent(value: string): string | undefined {
  const dataAt = value.indexOf('"data":');
  const head = dataAt < 0 ? value.slice(0, 2048) : value.slice(0, dataAt);
  return /"traceparent":"(00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2})"/.exec(head)?.[1];
}

/** Kafka headers of an outbox event: content type, plus the trace context when it has one. */
export function eventHeaders(value: string): Record<string, string> {
  const traceparent = traceparentOfEvent(value);
  return {
    'content-type': 'application/cloudevents+json',
    ...(traceparent ? { traceparent } : {}),
  };
}
