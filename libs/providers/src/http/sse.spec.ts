import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSse, type SseEvent } from './sse';

async function collect(chunks: string[]): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  async function* gen() {
    for (const c of chunks) yield new TextEncoder().encode(c);
  }
  for await (const e of parseSse(gen())) out.push(e);
  return out;
}

describe('parseSse', () => {
  it('reads named and unnamed events split across chunks', async () => {
    const events = await collect([
      'event: message_start\ndata: {"a"',
      ':1}\n\n: keep-alive comment\n\nda',
      'ta: [DONE]\r\n\r\n',
    ]);
    assert.deepEqual(events, [{ event: 'message_start', data: '{"a":1}' }, { data: '[DONE]' }]);
  });
  it('joins multi-line data and flushes an unterminated last event', async () => {
    assert.deepEqual(await collect(['data: a\ndata: b\n\ndata:c']), [
      { data: 'a\nb' },
      { data: 'c' },
    ]);
  });
  it('handles \\r\\n split between chunks', async () => {
    assert.deepEqual(await collect(['data: x\r', '\n\r', '\n']), [{ data: 'x' }]);
  });
});
