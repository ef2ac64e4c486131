import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses a webhook may be delivered to.
 *
 * The tables follow the IANA special-purpose registries. Each range gets its own BlockList
 * so a refusal can name the reason. IPv4 and IPv6 ranges are only ever checked against
 * addresses of their own family, because node's BlockList maps IPv4-mapped IPv6 addresses
 * onto IPv4 rules (and back), which would blur the reason we report.
 */
interface Range {
  readonly reason: string;
  readonly list: BlockList;
}

function range(reason: string, network: string, prefix: number, type: 'ipv4' | 'ipv6'): Range {
  const list = new BlockList();
  list.addSubnet(network, prefix, type);
  return { reason, list };
}

// Order matters: the first match names the reason, so specific entries come first.
const IPV4_BLOCKED: readonly Range[] = [
  range('unspecified ("this network")', '0.0.0.0', 8, 'ipv4'),
  range('private', '10.0.0.0', 8, 'ipv4'),
  range('carrier-grade NAT (shared address space)', '100.64.0.0', 10, 'ipv4'),
  range('loopback', '127.0.0.0', 8, 'ipv4'),
  range('cloud metadata', '169.254.169.254', 32, 'ipv4'),
  range('link-local', '169.254.0.0', 16, 'ipv4'),
  range('private', '172.16.0.0', 12, 'ipv4'),
  range('reserved (IETF protocol assignments)', '192.0.0.0', 24, 'ipv4'),
  range('reserved (documentation)', '192.0.2.0', 24, 'ipv4'),
  range('reserved (6to4 relay anycast)', '192.88.99.0', 24, 'ipv4'),
  range('private', '192.168.0.0', 16, 'ipv4'),
  range('reserved (benchmarking)', '198.18.0.0', 15, 'ipv4'),
  range('reserved (documentation)', '198.51.100.0', 24, 'ipv4'),
  range('reserved (documentation)', '203.0.113.0', 24, 'ipv4'),
  range('multicast', '224.0.0.0', 4, 'ipv4'),
  range('broadcast', '255.255.255.255', 32, 'ipv4'),
  range('reserved (future use)', '240.0.0.0', 4, 'ipv4'),
  // Azure's platform endpoint (instance metadata proxy, DNS) sits on a public-looking address.
  range('cloud metadata', '168.63.129.16', 32, 'ipv4'),
];

const IPV6_BLOCKED: readonly Range[] = [
  range('reserved (local-use NAT64)', '64:ff9b:1::', 48, 'ipv6'),
  range('reserved (discard-only)', '100::', 64, 'ipv6'),
  range('reserved (documentation)', '2001:db8::', 32, 'ipv6'),
  // Teredo and other IETF protocol assignments: tunnels and special-purpose anycast.
  range('reserved (IETF protocol assignments)', '2001::', 23, 'ipv6'),
  range('reserved (documentation)', '3fff::', 20, 'ipv6'),
  range('reserved (SRv6 SIDs)', '5f00::', 16, 'ipv6'),
  range('cloud metadata', 'fd00:ec2::254', 128, 'ipv6'),
  range('unique-local', 'fc00::', 7, 'ipv6'),
  range('link-local', 'fe80::', 10, 'ipv6'),
  range('site-local (deprecated)', 'fec0::', 10, 'ipv6'),
  range('multicast', 'ff00::', 8, 'ipv6'),
];

function firstMatch(ranges: readonly Range[], address: string, type: 'ipv4' | 'ipv6') {
  return ranges.find((r) => r.list.check(address, type))?.reason ?? null;
}

/** Expands a valid IPv6 address (zone id already removed) into its eight 16-bit groups. */
export function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // A trailing dotted quad fills the last two groups.
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length > 1 && halves[1] ? halves[1].split(':') : [];
  const zeros = halves.length > 1 ? 8 - head.length - rest.length : 0;
  return [...head, ...Array<string>(zeros).fill('0'), ...rest].map((g) => parseInt(g, 16));
}

function ipv4FromGroups(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The IPv4 address an IPv6 address carries, when it is one of the embedding forms. */
function embeddedIpv4(g: readonly number[]): { ipv4: string; form: string } | null {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(5) && g[5] === 0xffff)
    return { ipv4: ipv4FromGroups(g[6], g[7]), form: 'IPv4-mapped' };
  if (zeroUpTo(4) && g[4] === 0xffff && g[5] === 0) {
    return { ipv4: ipv4FromGroups(g[6], g[7]), form: 'IPv4-translated' };
  }
  if (zeroUpTo(6)) return { ipv4: ipv4FromGroups(g[6], g[7]), form: 'IPv4-compatible' };
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    return { ipv4: ipv4FromGroups(g[6], g[7]), form: 'NAT64' };
  }
  if (g[0] === 0x2002) return { ipv4: ipv4FromGroups(g[1], g[2]), form: '6to4' };
  return null;
}

/**
 * Why a webhook must not be delivered to `address`, or null when it is a public address.
 * Anything that is not a well-formed IP address is refused too.
 */
export function blockedAddressReason(address: string): string | null {
  // A zone id ("fe80::1%eth0") only exists on link-local addresses, and BlockList ignores it.
  const bare = address.split('%')[0];
  const family = isIP(bare);
  if (family === 4) return firstMatch(IPV4_BLOCKED, bare, 'ipv4');
  if (family !== 6) return 'not an IP address';

  const groups = ipv6Groups(bare);
  if (groups.every((x) => x === 0)) return 'unspecified';
  if (groups.slice(0, 7).every((x) => x === 0) && groups[7] === 1) return 'loopback';
  const embedded = embeddedIpv4(groups);
  if (embedded) {
    const inner = firstMatch(IPV4_BLOCKED, embedded.ipv4, 'ipv4');
    if (inner) return `${inner} (${embedded.form} ${embedded.ipv4})`;
    if (embedded.form !== '6to4') return null;
  }
  const reason = firstMatch(IPV6_BLOCKED, bare, 'ipv6');
  if (reason) return reason;
  // Only 2000::/3 is allocated as global unicast; everything else is reserved today.
  return (groups[0] & 0xe000) === 0x2000 ? null : 'reserved (not global unicast)';
}
