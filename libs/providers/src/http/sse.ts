/** One server-sent event. `event` is absent for unnamed events. */
export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * Splits a byte stream into server-sent events (the WHATWG rules vendors follow: `\n`,
 * `\r\n` or `\r` line ends, `:` comments, multi-line `data`, a blank line ends an event).
 */
export async function* parseSse(
  chunks: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event: string | undefined;
  let data: string[] = [];
  const flushLine = function* (line: string): Generator<SseEvent> {
    if (line === '') {
      if (data.length)
        yield event === undefined ? { data: data.join('\n') } : { event, data: data.join('\n') };
      event = undefined;
      data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  };
  for await (const chunk of chunks) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let m: RegExpExecArray | null;
    const lineEnd = /\r\n|\r|\n/g;
    let start = 0;
    while ((m = lineEnd.exec(buffer))) {
      // A lone \r at the very end may be the first half of \r\n: wait for more bytes.
      if (m[0] === '\r' && m.index === buffer.length - 1) break;
      yield* flushLine(buffer.slice(start, m.index));
      start = m.index + m[0].length;
    }
    buffer = buffer.slice(start);
  }
  buffer += decoder.decode();
  if (buffer) yield* flushLine(buffer);
  yield* flushLine('');
}
