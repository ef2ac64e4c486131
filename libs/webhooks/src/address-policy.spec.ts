import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { blockedAddressReason, ipv6Groups } from './address-policy';

const BLOCKED: ReadonlyArray<readonly [string, RegExp]> = [
  ['127.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['::1', /loopback/],
  ['10.0.0.1', /private/],
  ['172.16.0.1', /private/],
  ['172.31.255.255', /private/],
  ['192.168.1.1', /private/],
  ['100.64.0.1', /carrier-grade NAT/],
  ['100.100.100.200', /carrier-grade NAT/],
  ['169.254.169.254', /cloud metadata/],
  ['169.254.1.1', /link-local/],
  ['168.63.129.16', /cloud metadata/],
  ['fe80::1', /link-local/],
  ['fe80::1%eth0', /link-local/],
  ['fd00:ec2::254', /cloud metadata/],
  ['fc00::1', /unique-local/],
  ['fd12:3456::1', /unique-local/],
  ['224.0.0.1', /multicast/],
  ['ff02::1', /multicast/],
  ['0.0.0.0', /unspecified/],
  ['0.1.2.3', /unspecified/],
  ['::', /unspecified/],
  ['255.255.255.255', /broadcast/],
  ['240.0.0.1', /reserved/],
  ['192.0.2.10', /documentation/],
  ['198.18.0.1', /benchmarking/],
  ['2001:db8::1', /documentation/],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /IETF/],
  ['::ffff:127.0.0.1', /loopback \(IPv4-mapped 127\.0\.0\.1\)/],
  ['::ffff:7f00:1', /loopback \(IPv4-mapped/],
  ['::ffff:a9fe:a9fe', /cloud metadata \(IPv4-mapped 169\.254\.169\.254\)/],
  ['::ffff:10.1.2.3', /private/],
  ['::127.0.0.1', /loopback \(IPv4-compatible/],
  ['::ffff:0:7f00:1', /loopback \(IPv4-translated/],
  ['64:ff9b::127.0.0.1', /loopback \(NAT64/],
  ['64:ff9b::a00:1', /private \(NAT64 10\.0\.0\.1\)/],
  ['64:ff9b:1::1', /local-use NAT64/],
  ['2002:7f00:1::1', /loopback \(6to4/],
  ['2002:c0a8:101::1', /private \(6to4 192\.168\.1\.1\)/],
  ['100::1', /discard/],
  ['fec0::1', /site-local/],
  ['4000::1', /not global unicast/],
  ['not-an-ip', /not an IP address/],
  ['', /not an IP address/],
];

const PUBLIC = [
  '93.184.216.34',
  '8.8.8.8',
  '1.1.1.1',
  '172.32.0.1',
  '100.128.0.1',
  '2606:4700:4700::1111',
  '2a00:1450:4001:80b::200e',
  '::ffff:93.184.216.34',
  '64:ff9b::5db8:d822',
  '2002:5db8:d822::1',
];

void describe('blockedAddressReason', () => {
  for (const [address, reason] of BLOCKED) {
    void it(`refuses ${address || '(empty)'}`, () => {
      assert.match(blockedAddressReason(address) ?? 'allowed', reason);
    });
  }

  for (const address of PUBLIC) {
    void it(`accepts public ${address}`, () => {
      assert.equal(blockedAddressReason(address), null);
    });
  }

  void it('judges every IPv4-mapped and NAT64 address exactly as its IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ipv4) => {
        const expected = blockedAddressReason(ipv4) === null;
        assert.equal(blockedAddressReason(`::ffff:${ipv4}`) === null, expected);
        assert.equal(blockedAddressReason(`64:ff9b::${ipv4}`) === null, expected);
      }),
      { numRuns: 2000 },
    );
  });

  void it('refuses the whole of 127/8, 10/8 and fc00::/7', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(octet, octet, octet, fc.integer({ min: 0xfc00, max: 0xfdff }), (a, b, c, g) => {
        assert.notEqual(blockedAddressReason(`127.${a}.${b}.${c}`), null);
        assert.notEqual(blockedAddressReason(`10.${a}.${b}.${c}`), null);
        assert.notEqual(blockedAddressReason(`${g.toString(16)}::${a.toString(16)}`), null);
      }),
    );
  });
});

void describe('ipv6Groups', () => {
  void it('round-trips any address through its canonical compressed text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
        (groups) => {
          const full = groups.map((g) => g.toString(16)).join(':');
          // WHATWG URL writes the canonical RFC 5952 form, with "::" compression.
          const compressed = new URL(`http://[${full}]/`).hostname.slice(1, -1);
          assert.deepEqual(ipv6Groups(full), groups);
          assert.deepEqual(ipv6Groups(compressed), groups);
        },
      ),
      { numRuns: 1000 },
    );
  });

  void it('reads a trailing dotted quad as the last two groups', () => {
    assert.deepEqual(ipv6Groups('::ffff:192.168.1.1'), [0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0101]);
  });
});
