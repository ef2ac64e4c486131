/** Small HTTP helpers for tests: JSON in, status + JSON out. */
export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = any>(
  url: string,
  opts: {
    method?: string;
    key?: string;
    body?: unknown;
    headers?: Record<string, string>;
    raw?: string;
  } = {},
): Promise<Res<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: string | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const r = await fetch(url, {
    method: opts.method ?? (body !== undefined ? 'POST' : 'GET'),
    headers,
    body,
  });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: r.status, body: parsed as T, headers: r.headers };
}

/**
 * Announces a body of `declaredBytes` on a raw socket and reads the answer: the server must
 * refuse on the declared length alone, without reading the body.
 */
export async function postDeclaredSize(
  url: string,
  key: string,
  declaredBytes: number,
): Promise<Res> {
  const { connect } = await import('node:net');
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname);
    let raw = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('no answer within 10 s'));
    }, 10_000);
    sock.on('data', (d: Buffer) => {
      raw += d.toString();
      const [head, body] = raw.split('\r\n\r\n');
      const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? -1);
      if (body !== undefined && len >= 0 && Buffer.byteLength(body) >= len) {
        clearTimeout(timer);
        sock.destroy();
        resolve({
          status: Number(head.split(' ')[1]),
          body: JSON.parse(body),
          headers: new Headers(),
        });
      }
    });
    sock.on('error', reject);
    sock.write(
      `POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${declaredBytes}\r\n\r\n{"task":`,
    );
  });
}
