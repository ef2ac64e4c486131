import type { PiiFinding, PiiType } from '../pii-types';

/** A detector turns text into candidate findings; overlaps are settled later, in one place. */
export type Detector = (text: string) => PiiFinding[];

/** Where a candidate really starts and ends, when the finding is narrower than the match. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * Runs a global regex over the text and keeps the matches `check` accepts. A rejected match
 * is retried one character later rather than after its end, so a bad long candidate does not
 * hide a good shorter one that starts inside it.
 */
export function collect(
  text: string,
  pattern: RegExp,
  type: PiiType,
  check: (m: RegExpExecArray) => boolean | Span = () => true,
): PiiFinding[] {
  const re = new RegExp(
    pattern.source,
    pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
  );
  const out: PiiFinding[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const verdict = check(m);
    if (verdict === false) {
      re.lastIndex = m.index + 1;
      continue;
    }
    const span = verdict === true ? { start: m.index, end: m.index + m[0].length } : verdict;
    out.push({ type, start: span.start, end: span.end, value: text.slice(span.start, span.end) });
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

/** True when the few words before `index` match `pattern` (anchored at the end). */
export function precededBy(text: string, index: number, pattern: RegExp): boolean {
  return pattern.test(text.slice(Math.max(0, index - 32), index));
}

/** Counts ASCII digits. */
export function digitCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}
