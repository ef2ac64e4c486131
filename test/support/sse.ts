/** One Server-Sent Event as a test reads it (`comment` for `: ping` lines). */
export interface SseEvent {
  event: string;
  id?: string;
  data?: any;
  comment?: boolean;
  /** When the client parsed it (ms since the epoch). */
  at?: number;
}

/** Reads an SSE stream until `stop` says so (or it ends), within `timeoutMs`. */
export async function readSse(
  url: string,
  key: string,
  stop: (events: SseEvent[]) => boolean,
  headers: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<{ status: number; events: SseEvent[]; contentType: string | null }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${key}`, ...headers },
    signal: ac.signal,
  });
  const events: SseEvent[] = [];
  if (res.status !== 200 || !res.body) {
    clearTimeout(timer);
    return { status: res.status, events, contentType: res.headers.get('content-type') };
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    while (!stop(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        if (block.startsWith(':')) {
          events.push({ event: 'comment', comment: true });
          continue;
        }
        const ev: SseEvent = { event: 'message' };
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(': ');
          const v = rest.join(': ');
          if (field === 'event') ev.event = v;
          else if (field === 'id') ev.id = v;
          else if (field === 'data') ev.data = JSON.parse(v);
        }
        ev.at = Date.now();
        if (ev.event !== 'message' || ev.data !== undefined) events.push(ev);
      }
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return { status: res.status, events, contentType: res.headers.get('content-type') };
}
