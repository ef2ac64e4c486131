/**
 * A pattern match with its span, the currency of the extractor: spans let it prefer the
 * match nearest a field's label and mask spans already claimed by a more specific kind.
 */
export interface Match<V = string> {
  readonly value: V;
  readonly raw: string;
  readonly index: number;
  readonly end: number;
}

/** Every match of a global regex that `map` accepts, in text order. */
export function all<V>(
  text: string,
  re: RegExp,
  map: (m: RegExpExecArray) => V | undefined,
): Match<V>[] {
  const out: Match<V>[] = [];
  for (const m of text.matchAll(re)) {
    const value = map(m);
    if (value !== undefined) {
      out.push({ value, raw: m[0], index: m.index, end: m.index + m[0].length });
    }
  }
  return out;
}

/** Keeps the earliest of overlapping matches (inputs sorted by index). */
export function dropOverlaps<V>(matches: Match<V>[]): Match<V>[] {
  const out: Match<V>[] = [];
  for (const m of matches) if (!out.length || m.index >= out[out.length - 1].end) out.push(m);
  return out;
}

/** Matches not overlapping any of the claimed spans. */
export function unclaimed<V>(matches: Match<V>[], claimed: readonly Match<unknown>[]): Match<V>[] {
  return matches.filter((m) => !claimed.some((c) => m.index < c.end && c.index < m.end));
}
