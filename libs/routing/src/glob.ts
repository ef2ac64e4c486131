const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 4096;

/**
 * Compiles a model pattern: `*` is any run of characters, `?` one character, the rest is
 * literal; case-insensitive, whole-name. Compiled patterns are memoised (bounded) because the
 * same few tenant and key patterns come back on every request.
 */
export function globToRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re) return re;
  const body = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  re = new RegExp(`^${body}$`, 'i');
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(pattern, re);
  return re;
}

/** True when any of the names matches any of the patterns. */
export function matchesAny(names: readonly string[], patterns: readonly string[]): boolean {
  for (const p of patterns) {
    const re = globToRegExp(p);
    for (const n of names) if (re.test(n)) return true;
  }
  return false;
}
