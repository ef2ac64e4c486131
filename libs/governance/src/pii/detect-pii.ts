import { detectEmails, detectPhones } from './detectors/contact.detector';
import { detectCards, detectIbans } from './detectors/financial.detector';
import { detectIpv4, detectIpv6 } from './detectors/network.detector';
import type { Detector } from './detectors/scan';
import { detectSecrets } from './detectors/secrets.detector';
import { detectSsns } from './detectors/ssn.detector';
import { PII_TYPES, type PiiFinding, type PiiType } from './pii-types';

const DETECTORS: readonly Detector[] = [
  detectSecrets,
  detectIbans,
  detectCards,
  detectSsns,
  detectEmails,
  detectIpv6,
  detectIpv4,
  detectPhones,
];

// When two candidates cover exactly as much text, the more specific kind wins: a checksum
// or a vendor prefix says more than a phone-shaped digit run does.
const SPECIFICITY: Readonly<Record<PiiType, number>> = {
  private_key: 9,
  api_key: 8,
  iban: 7,
  card: 6,
  ssn: 5,
  email: 4,
  ipv6: 3,
  ipv4: 2,
  phone: 1,
};

/**
 * Finds PII and secrets in `text`, ordered by position and never overlapping. Every
 * detector runs even when `types` narrows the result, so a card number is never reported
 * as a phone just because cards were not asked for.
 */
export function detectPii(text: string, types: readonly PiiType[] = PII_TYPES): PiiFinding[] {
  if (text.length === 0 || types.length === 0) return [];
  const ids = uuidSpans(text);
  const candidates = DETECTORS.flatMap((detect) => detect(text)).filter(
    (c) => isSecret(c) || ids.every((id) => c.end <= id.start || c.start >= id.end),
  );
  const wanted = new Set(types);
  return resolveOverlaps(candidates).filter((f) => wanted.has(f.type));
}

// A UUID is an identifier even when every hex digit happens to be a decimal one: its first
// three groups are sixteen digits that can pass Luhn with a card prefix.
const UUID = /(?<![\w-])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w-])/gi;

function uuidSpans(text: string): { start: number; end: number }[] {
  if (!text.includes('-')) return [];
  return [...text.matchAll(UUID)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

// Secrets outrank everything else whatever their length: a key inside something that also
// looks like an address (`https://ghp_...@github.com`) must be reported as the key.
const isSecret = (f: PiiFinding): boolean => f.type === 'api_key' || f.type === 'private_key';

/**
 * Secrets first, then the longest candidate, then the most specific; anything overlapping a
 * winner is dropped.
 */
export function resolveOverlaps(candidates: readonly PiiFinding[]): PiiFinding[] {
  const secrets = pickLongest(candidates.filter(isSecret));
  // covered[i] counts secret characters before i, so a range overlaps a secret exactly when
  // the count changes across it.
  const size = candidates.reduce((max, c) => Math.max(max, c.end), 0);
  const covered = new Int32Array(size + 1);
  for (const s of secrets) for (let i = s.start; i < s.end; i++) covered[i + 1] = 1;
  for (let i = 1; i <= size; i++) covered[i] += covered[i - 1];
  const others = pickLongest(
    candidates.filter((c) => !isSecret(c) && covered[c.end] === covered[c.start]),
  );
  return [...secrets, ...others].sort((a, b) => a.start - b.start);
}

function pickLongest(candidates: readonly PiiFinding[]): PiiFinding[] {
  const ranked = [...candidates].sort(
    (a, b) =>
      b.end - b.start - (a.end - a.start) ||
      SPECIFICITY[b.type] - SPECIFICITY[a.type] ||
      a.start - b.start,
  );
  // Winners are never shorter than later candidates, so a later candidate overlaps a winner
  // exactly when one of its two ends is already taken: two lookups, not a scan of winners.
  const taken = new Uint8Array(ranked.reduce((max, c) => Math.max(max, c.end), 0));
  const kept: PiiFinding[] = [];
  for (const c of ranked) {
    if (c.end <= c.start || taken[c.start] === 1 || taken[c.end - 1] === 1) continue;
    taken.fill(1, c.start, c.end);
    kept.push(c);
  }
  return kept;
}
