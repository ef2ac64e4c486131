/**
 * Parsers for the time formats vendors put in rate-limit signals. Each returns milliseconds,
 * or undefined when the text is not in its format (a bad header never throws).
 */

const GO_UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go `time.Duration` text as OpenAI sends it: `6m0s`, `1s`, `12ms`, `1h2m3.5s`, `0s`. */
export function parseGoDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const s = text.trim();
  if (s === '0') return 0;
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    part.lastIndex = pos;
    const m = part.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * GO_UNIT_MS[m[2]];
    pos = part.lastIndex;
  }
  return pos === 0 ? undefined : Math.round(total);
}

/** A protobuf JSON `Duration` as Google sends it in `RetryInfo.retryDelay`: `"1.5s"`, `"34s"`. */
export function parseProtoDuration(text: string | undefined): number | undefined {
  const m = text ? /^\s*(\d+(?:\.\d+)?)s\s*$/.exec(text) : null;
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}

/** `Retry-After`: delay in seconds (`"2"`, `"1.5"`) or an HTTP date. Never negative. */
export function parseRetryAfter(text: string | undefined, now = Date.now()): number | undefined {
  if (!text) return undefined;
  const s = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  // An HTTP date always names its weekday or month in letters; plain numbers were handled above.
  if (!/[a-z]/i.test(s)) return undefined;
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `retry-after-ms`: float milliseconds, as OpenAI's clients read it. */
export function parseRetryAfterMs(text: string | undefined): number | undefined {
  if (!text || !/^\s*\d+(?:\.\d+)?\s*$/.test(text)) return undefined;
  return Math.round(Number(text));
}

/** An RFC 3339 instant (`2025-01-15T14:23:15Z`) as a delay from now. Never negative. */
export function parseRfc3339Delay(text: string | undefined, now = Date.now()): number | undefined {
  if (!text) return undefined;
  const s = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/.test(s)) {
    return undefined;
  }
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
