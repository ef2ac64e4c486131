/** Every kind of personal data or secret the detectors know. */
export const PII_TYPES = [
  'email',
  'phone',
  'card',
  'iban',
  'ssn',
  'ipv4',
  'ipv6',
  'api_key',
  'private_key',
] as const;
export type PiiType = (typeof PII_TYPES)[number];

/** One detected value: `text.slice(start, end) === value`. */
export interface PiiFinding {
  readonly type: PiiType;
  readonly start: number;
  readonly end: number;
  readonly value: string;
}

/** What a tenant or route asks the gateway to do with PII in a job (same names as gateway.yaml). */
export const PII_POLICIES = ['off', 'redact', 'mask', 'block', 'pseudonymise'] as const;
export type PiiPolicy = (typeof PII_POLICIES)[number];

/** A record with a zero for every type, so counts always have the same keys. */
export function emptyPiiCounts(): Record<PiiType, number> {
  const counts = {} as Record<PiiType, number>;
  for (const type of PII_TYPES) counts[type] = 0;
  return counts;
}

/** Label used in placeholders: `api_key` → `API_KEY` (`[REDACTED_API_KEY]`, `[API_KEY_3]`). */
export function piiLabel(type: PiiType): string {
  return type.toUpperCase();
}
