import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { blockedAddressReason } from './address-policy';
import { isAllowedHost } from './allow-hosts';

/** One resolved address; `family` is 4 or 6. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a hostname to every address it has (injectable so tests never touch DNS). */
export type HostLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export type VetErrorCode =
  'invalid_url' | 'scheme_not_allowed' | 'blocked_address' | 'unresolvable';

export type VetResult =
  | { ok: true; url: URL; addresses: ResolvedAddress[] }
  | { ok: false; code: VetErrorCode; message: string };

export interface VetOptions {
  /** Hosts exempt from the address check: a hostname, or `host:port` for one port only. */
  readonly allowHosts: readonly string[];
  readonly lookup?: HostLookup;
}

/** Same cap as the job request schema puts on `webhook.url`. */
const MAX_URL_LENGTH = 2048;
const ALLOW_HINT = 'use a publicly reachable host, or list it in webhooks.allowHosts';

const systemLookup: HostLookup = (hostname) =>
  dnsLookup(hostname, { all: true, order: 'verbatim' });

function refuse(code: VetErrorCode, message: string): VetResult {
  return { ok: false, code, message };
}

/** RFC 6761 reserves these names for loopback; refuse them without asking the resolver. */
function isLocalhostName(hostname: string): boolean {
  const name = hostname.replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

async function resolve(
  hostname: string,
  lookup: HostLookup,
): Promise<ResolvedAddress[] | { error: string }> {
  const literal = hostname.replace(/^\[(.*)\]$/, '$1');
  const literalFamily = isIP(literal);
  if (literalFamily !== 0) return [{ address: literal, family: literalFamily }];
  let answers: readonly ResolvedAddress[];
  try {
    answers = await lookup(hostname);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { error: typeof code === 'string' ? code : 'lookup failed' };
  }
  if (answers.length === 0) return { error: 'no addresses' };
  const addresses: ResolvedAddress[] = [];
  for (const { address } of answers) {
    // Trust the address text, not the family the resolver claims.
    const family = isIP(address.split('%')[0]);
    if (family === 0) return { error: `resolver answered "${address}", not an IP address` };
    addresses.push({ address, family });
  }
  return addresses;
}

/**
 * Decides whether a webhook URL may be called, and pins the addresses it may be called on.
 *
 * The host is checked as `new URL()` normalised it, so numeric IPv4 spellings (decimal,
 * octal, hex, shortened) are judged as the dotted address they really are. A hostname is
 * refused when ANY of its addresses is non-public: a resolver is free to hand a client the
 * other one. Messages name the host, never the path or query, which may carry secrets.
 */
export async function vetWebhookUrl(rawUrl: string, opts: VetOptions): Promise<VetResult> {
  if (typeof rawUrl !== 'string' || rawUrl.length > MAX_URL_LENGTH) {
    return refuse(
      'invalid_url',
      `Webhook URL must be a string of at most ${MAX_URL_LENGTH} characters`,
    );
  }
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return refuse('invalid_url', 'Webhook URL is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return refuse(
      'scheme_not_allowed',
      `Webhook URL scheme "${url.protocol.replace(/:$/, '')}" is not allowed; use https (or http)`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    return refuse(
      'invalid_url',
      'Webhook URL must not carry credentials (user:password@); authenticate with the signature',
    );
  }
  const host = url.hostname;
  const allowed = isAllowedHost(url, opts.allowHosts);
  if (!allowed && isLocalhostName(host)) {
    return refuse('blocked_address', `Webhook host "${host}" is loopback; ${ALLOW_HINT}`);
  }

  const resolved = await resolve(host, opts.lookup ?? systemLookup);
  if (!Array.isArray(resolved)) {
    return refuse(
      'unresolvable',
      `Webhook host "${host}" could not be resolved (${resolved.error})`,
    );
  }
  if (!allowed) {
    for (const { address } of resolved) {
      const reason = blockedAddressReason(address);
      if (reason !== null) {
        const via =
          address === host.replace(/^\[(.*)\]$/, '$1') ? 'is' : `resolves to ${address}, which is`;
        return refuse('blocked_address', `Webhook host "${host}" ${via} ${reason}; ${ALLOW_HINT}`);
      }
    }
  }
  return { ok: true, url, addresses: resolved };
}
