import { detectPii } from './detect-pii';
import { maskValue } from './mask';
import {
  emptyPiiCounts,
  PII_TYPES,
  piiLabel,
  type PiiFinding,
  type PiiPolicy,
  type PiiType,
} from './pii-types';
import { PseudonymTable, restorePseudonyms, type PseudonymMapping } from './pseudonymise';

/** What a policy did to a job input. Counts per type only: values never leave this module. */
export interface PiiPolicyResult<T> {
  /** The input with the same shape; strings transformed unless the policy is off or block. */
  readonly value: T;
  readonly counts: Record<PiiType, number>;
  readonly total: number;
  /** True under `block` when anything was found: the caller answers 422 `policy_violation`. */
  readonly blocked: boolean;
  /** Under `pseudonymise` only: what `restorePseudonyms` needs to undo it. */
  readonly mapping?: PseudonymMapping;
}

export interface PiiPolicyOptions {
  /** An earlier mapping of the same job, so placeholders keep their numbers. */
  readonly mapping?: PseudonymMapping;
}

// Binary payloads and references: scanning base64 finds nonsense and rewriting breaks them.
const SKIPPED_KEYS: ReadonlySet<string> = new Set(['base64', 'url', 'mediaType']);

/**
 * Applies a PII policy to every string of a job input (a string, an array, or any JSON
 * value such as `{ messages: [...] }`), leaving object keys, numbers and image payloads alone.
 */
export function applyPiiPolicy<T>(
  input: T,
  policy: PiiPolicy,
  types: readonly PiiType[] = PII_TYPES,
  options: PiiPolicyOptions = {},
): PiiPolicyResult<T> {
  const counts = emptyPiiCounts();
  if (policy === 'off') return { value: input, counts, total: 0, blocked: false };

  const table = new PseudonymTable(options.mapping);
  const replace = replacerFor(policy, table);
  let total = 0;
  const transformed = mapStrings(input, (text) => {
    const findings = detectPii(text, types);
    for (const f of findings) counts[f.type]++;
    total += findings.length;
    return replace === undefined ? text : replaceFindings(text, findings, replace);
  });

  if (replace === undefined) return { value: input, counts, total, blocked: total > 0 };
  const value = transformed as T;
  return policy === 'pseudonymise'
    ? { value, counts, total, blocked: false, mapping: table.mapping() }
    : { value, counts, total, blocked: false };
}

/** How one finding is rewritten; `undefined` when the policy only counts. */
function replacerFor(
  policy: PiiPolicy,
  table: PseudonymTable,
): ((f: PiiFinding) => string) | undefined {
  switch (policy) {
    case 'off':
    case 'block':
      return undefined;
    case 'redact':
      return (f) => `[REDACTED_${piiLabel(f.type)}]`;
    case 'mask':
      return (f) => maskValue(f.type, f.value);
    case 'pseudonymise':
      return (f) => table.placeholderFor(f.type, f.value);
  }
}

/** `restorePseudonyms` over every string of a JSON value (e.g. a chat output with tool calls). */
export function restorePseudonymsIn<T>(value: T, mapping: PseudonymMapping): T {
  return mapStrings(value, (text) => restorePseudonyms(text, mapping)) as T;
}

function replaceFindings(
  text: string,
  findings: readonly PiiFinding[],
  replacement: (f: PiiFinding) => string,
): string {
  if (findings.length === 0) return text;
  let out = '';
  let cursor = 0;
  for (const f of findings) {
    out += text.slice(cursor, f.start) + replacement(f);
    cursor = f.end;
  }
  return out + text.slice(cursor);
}

function mapStrings(value: unknown, fn: (text: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, fn));
  if (!isPlainObject(value)) return value;
  // fromEntries defines own properties, so a `__proto__` key from JSON stays a plain key.
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SKIPPED_KEYS.has(key) ? item : mapStrings(item, fn),
    ]),
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
