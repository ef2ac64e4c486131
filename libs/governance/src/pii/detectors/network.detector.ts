import { isIPv6 } from 'node:net';
import type { PiiFinding } from '../pii-types';
import { collect, precededBy } from './scan';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
// Four octets without leading zeros (`01.02.2024` is a date) and not part of a longer
// dotted number (`1.2.3.4.5`, `10.0.19045.3693`).
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`, 'g');

// A dotted quad right after one of these words is a version or a section number.
const VERSION_CONTEXT =
  /\b(?:version|ver|release|build|firmware|v|section|chapter|clause|step|rule|§)\.?\s*$/i;

export function detectIpv4(text: string): PiiFinding[] {
  return collect(text, IPV4, 'ipv4', (m) => !precededBy(text, m.index, VERSION_CONTEXT));
}

// Hex groups and colons, optionally ending in a dotted quad (`::ffff:192.0.2.1`); whether
// it really is an address is left to node's own parser.
const IPV6_CANDIDATE =
  /(?<![\w:.])(?:[0-9A-Fa-f]{1,4}|:)(?::[0-9A-Fa-f]{0,4}){1,8}(?:\.\d{1,3}){0,3}(?![\w]|:[0-9A-Fa-f])/g;

export function detectIpv6(text: string): PiiFinding[] {
  return collect(text, IPV6_CANDIDATE, 'ipv6', (m) => {
    let candidate = m[0];
    // A sentence may put a colon right after the address: `reach fe80::1: it answers`.
    if (candidate.endsWith(':') && !candidate.endsWith('::')) candidate = candidate.slice(0, -1);
    if (!isIPv6(candidate)) return false;
    // `::`, `::1` and `a::b` are valid but say nothing about a person (and `a::b` is more
    // often code); an address worth hiding has at least two groups with content.
    const groups = candidate.split(/[:.]/).filter(Boolean).length;
    if (groups < 2 || (groups < 3 && !/\d/.test(candidate))) return false;
    return { start: m.index, end: m.index + candidate.length };
  });
}
