/** fast-check generators for the PII specs: values of every type and PII-free text. */
import * as fc from 'fast-check';
import type { PiiType } from '../pii-types';
import {
  BASE62,
  digitString,
  formattedCard,
  formattedIban,
  fromChars,
  UPPER,
} from './financial-arbitraries';

export * from './financial-arbitraries';

export const email: fc.Arbitrary<string> = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9]{0,7}(?:[._+-][a-z0-9]{1,6})?$/),
    fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/),
    fc.constantFrom('com', 'org', 'net', 'io', 'de', 'co.uk', 'example'),
  )
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);

export const ssn: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 1, max: 899 }).filter((a) => a !== 666),
    fc.integer({ min: 1, max: 99 }),
    fc.integer({ min: 1, max: 9999 }),
  )
  .map(([a, g, s]) => `${pad(a, 3)}-${pad(g, 2)}-${pad(s, 4)}`);

export const ipv4: fc.Arbitrary<string> = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 })
  .map((octets) => octets.join('.'));

/** IPv6 in every textual form fast-check knows, minus the trivial `::`-style ones. */
export const ipv6: fc.Arbitrary<string> = fc.ipV6().filter((ip) => {
  const groups = ip.split(/[:.]/).filter(Boolean).length;
  return groups >= 3 || (groups === 2 && /\d/.test(ip));
});

export const phone: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('1', '33', '44', '49', '61', '81', '91'),
      digitString(2, 3),
      digitString(3, 4),
      digitString(4),
    )
    .map(([cc, a, b, c]) => `+${cc} ${a} ${b} ${c}`),
  fc
    .tuple(digitString(2), digitString(2), digitString(4), fc.constantFrom('-', '.', ' '))
    .map(([a, e, n, sep]) => `${2 + (Number(a[0]) % 8)}${a}${sep}${5}${e}${sep}${n}`),
  fc.tuple(digitString(2), digitString(2), digitString(4)).map(([a, e, n]) => `(4${a}) 2${e}-${n}`),
  fc
    .tuple(fc.integer({ min: 1, max: 9 }), digitString(1), digitString(3, 4), digitString(4))
    .map(([first, rest, b, c]) => `0${first}${rest} ${b} ${c}`),
);

// A guaranteed digit and letter: real keys are random, and the detectors rely on that mix.
const randomToken = (length: number): fc.Arbitrary<string> =>
  fromChars(BASE62, length - 2).map((t) => `7${t}q`);

export const apiKey: fc.Arbitrary<string> = fc.oneof(
  randomToken(40).map((t) => `sk-proj-${t}`),
  randomToken(48).map((t) => `sk-ant-api03-${t}`),
  fromChars(UPPER + '0123456789', 16).map((t) => `AKIA${t}`),
  randomToken(36).map((t) => `ghp_${t}`),
  fc.tuple(digitString(11), randomToken(24)).map(([n, t]) => `xoxb-${n}-${t}`),
  randomToken(35).map((t) => `AIza${t}`),
  randomToken(48).map((t) => `gw_${t}`),
);

export const privateKey: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', 'RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED '),
    fc.array(fromChars(BASE62 + '+/', 64), { minLength: 1, maxLength: 4 }),
  )
  .map(
    ([kind, lines]) =>
      `-----BEGIN ${kind}PRIVATE KEY-----\n${lines.join('\n')}\n-----END ${kind}PRIVATE KEY-----`,
  );

export const PII_ARBITRARIES: Record<PiiType, fc.Arbitrary<string>> = {
  email,
  phone,
  card: formattedCard,
  iban: formattedIban,
  ssn,
  ipv4,
  ipv6,
  api_key: apiKey,
  private_key: privateKey,
};

/** One value of any type, labelled. */
export const anyPii: fc.Arbitrary<{ type: PiiType; value: string }> = fc.oneof(
  ...Object.entries(PII_ARBITRARIES).map(([type, arb]) =>
    arb.map((value) => ({ type: type as PiiType, value })),
  ),
);

/** Plain words that never change what a detector decides about their neighbours. */
export const filler: fc.Arbitrary<string> = fc
  .array(
    fc.constantFrom('please', 'contact', 'the', 'team', 'about', 'it', 'and', 'send', 'to', 'for'),
    {
      minLength: 1,
      maxLength: 4,
    },
  )
  .map((w) => w.join(' '));

/**
 * Text with no PII but with the tokens that trip naive detectors: numbers, UUIDs, hex
 * digests, dates, times, versions and order references. Two number-like tokens are never
 * adjacent, so no generated pair can legitimately form a phone or a card.
 */
export const textWithoutPii: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.stringMatching(/^[A-Za-z][a-z]{0,9}[.,;:!?]?$/),
      fc.oneof(
        fc.constant(''),
        fc.integer({ min: 0, max: 99999 }).map(String),
        fc.uuid(),
        fc.constantFrom(32, 40, 64).chain((n) => fromChars('0123456789abcdef', n)),
        fc
          .date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString()),
        fc
          .date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10)),
        fc.tuple(fc.nat(30), fc.nat(99), fc.nat(999)).map(([a, b, c]) => `v${a}.${b}.${c}`),
        fc.tuple(fc.nat(23), fc.nat(59)).map(([h, m]) => `${pad(h, 2)}:${pad(m, 2)}`),
        digitString(5, 12).map((d) => `#${d}`),
      ),
    ),
    { minLength: 1, maxLength: 30 },
  )
  .map((pairs) => pairs.map(([word, token]) => (token ? `${word} ${token}` : word)).join(' '));

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
