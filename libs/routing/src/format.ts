/** Dollars with two significant digits: "$0.00041", "$0.0021", "$12.50". */
export function fmtUsd(x: number): string {
  if (x <= 0) return '$0';
  const digits = Math.min(20, Math.max(2, 1 - Math.floor(Math.log10(x))));
  return `$${x.toFixed(digits)}`;
}

/**
 * Joins the first `max` items (formatted by `fmt`) and says how many more there are. Only
 * the shown items are formatted: reasons are built on every decision, over up to hundreds
 * of candidates.
 */
export function joinLimited<T>(
  items: readonly T[],
  sep: string,
  max = 4,
  fmt: (item: T, index: number) => string = String,
): string {
  let out = '';
  const n = Math.min(items.length, max);
  for (let i = 0; i < n; i++) out += (i > 0 ? sep : '') + fmt(items[i], i);
  return items.length > max ? `${out}${sep}… (+${items.length - max})` : out;
}
