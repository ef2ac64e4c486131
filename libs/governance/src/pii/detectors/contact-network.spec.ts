import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as fc from 'fast-check';
import { detectPii } from '../detect-pii';
import type { PiiType } from '../pii-types';
import { email, filler, ipv4, ipv6, phone, ssn } from '../testing/pii-arbitraries';

const RUNS = { numRuns: 300 };
const found = (text: string): [PiiType, string][] => detectPii(text).map((f) => [f.type, f.value]);

describe('generated values are found whole, with their type', () => {
  for (const [type, arb] of [
    ['email', email],
    ['phone', phone],
    ['ssn', ssn],
    ['ipv4', ipv4],
    ['ipv6', ipv6],
  ] as const) {
    it(type, () => {
      fc.assert(
        fc.property(filler, arb, filler, (before, value, after) => {
          assert.deepEqual(found(`${before} ${value} ${after}.`), [[type, value]]);
        }),
        RUNS,
      );
    });
  }
});

describe('email', () => {
  it('stops at the sentence and skips non-addresses', () => {
    assert.deepEqual(found('Write to ann.lee+news@mail.example.co.uk.'), [
      ['email', 'ann.lee+news@mail.example.co.uk'],
    ]);
    assert.deepEqual(found('ping @ann, user@localhost, a..b@x.com is wrong'), []);
  });
});

describe('phone', () => {
  it('finds international and national formats', () => {
    for (const number of [
      '+44 20 7946 0958',
      '+1 (415) 555-2671',
      '+33 1 23 45 67 89',
      '+4915112345678',
      '(415) 555-2671',
      '1-800-555-0199',
      '020 7946 0958',
      '01 23 45 67 89',
      '(030) 901820',
    ]) {
      assert.deepEqual(found(`call ${number} now`), [['phone', number]], number);
    }
  });

  it('leaves dates, versions, codes and bare digit runs alone', () => {
    for (const text of [
      'order 4155552671 shipped',
      'on 2024-03-15 at 10:30',
      'on 05.06.2024 10 am',
      'version 10.0.19045.3693',
      'SKU 0712-3344-55',
      'ISBN 0-306-40615-2',
      'between +5 and +12',
      'zip 94105-1234',
    ]) {
      assert.deepEqual(found(text), [], text);
    }
  });
});

describe('US SSN', () => {
  it('applies the area, group and serial rules', () => {
    assert.deepEqual(found('ssn 536-22-1847'), [['ssn', '536-22-1847']]);
    for (const bad of ['000-12-3456', '666-12-3456', '912-34-5678', '536-00-1847', '536-22-0000']) {
      assert.deepEqual(found(`ssn ${bad}`), [], bad);
    }
  });
});

describe('IP addresses', () => {
  it('validates octets and skips dotted versions', () => {
    assert.deepEqual(found('from 192.168.1.10:8080'), [['ipv4', '192.168.1.10']]);
    for (const text of ['256.1.1.1', '1.2.3.4.5', '01.02.2024', 'version 1.2.3.4', 'v1.2.3.4']) {
      assert.deepEqual(found(`got ${text}`), [], text);
    }
  });

  it('accepts compressed IPv6 and rejects times, MACs and code', () => {
    assert.deepEqual(found('gw fe80::1ff:fe23:4567:890a, then 2001:db8::1.'), [
      ['ipv6', 'fe80::1ff:fe23:4567:890a'],
      ['ipv6', '2001:db8::1'],
    ]);
    assert.deepEqual(found('mapped ::ffff:192.0.2.1 ok'), [['ipv6', '::ffff:192.0.2.1']]);
    for (const text of ['10:30:45', '00:1A:2B:3C:4D:5E', 'std::vector', 'Foo::Bar', '::1']) {
      assert.deepEqual(found(`got ${text} here`), [], text);
    }
  });
});
