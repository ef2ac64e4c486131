import { isIPv6 } from 'node:net';

/** One `webhooks.allowHosts` entry: a hostname, optionally pinned to one port. */
interface AllowEntry {
  readonly hostname: string;
  readonly port: number | null;
}

function splitHostPort(entry: string): { host: string; port: number | null } {
  if (isIPv6(entry)) return { host: `[${entry}]`, port: null };
  const bracketed = /^(\[[^\]]+\])(?::(\d+))?$/.exec(entry);
  if (bracketed)
    return { host: bracketed[1] ?? '', port: bracketed[2] ? Number(bracketed[2]) : null };
  const withPort = /^(.*):(\d+)$/.exec(entry);
  if (withPort) return { host: withPort[1] ?? '', port: Number(withPort[2]) };
  return { host: entry, port: null };
}

/**
 * Normalises an entry the way WHATWG URL normalises a host, so `LOCALHOST`, `0x7f.1` or
 * `::1` in the config match what `new URL()` produces for the webhook URL. An entry that
 * is not a valid host matches nothing.
 */
function parseEntry(raw: string): AllowEntry | null {
  const { host, port } = splitHostPort(raw.trim());
  if (!host) return null;
  try {
    return { hostname: new URL(`http://${host}/`).hostname, port };
  } catch {
    return null;
  }
}

function effectivePort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** True when `url` names a host the operator exempted from the address check. */
export function isAllowedHost(url: URL, allowHosts: readonly string[]): boolean {
  const port = effectivePort(url);
  return allowHosts.some((raw) => {
    const entry = parseEntry(raw);
    return entry !== null && entry.hostname === url.hostname && (entry.port ?? port) === port;
  });
}
