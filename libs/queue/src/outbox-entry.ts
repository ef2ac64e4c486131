import type { OutboxEntry } from '@gateway/contracts';

/** Serialises entries as the job store's scripts take them: count, then topic/key/value. */
export function flattenEntries(entries: readonly OutboxEntry[]): string[] {
  const out: string[] = [String(entries.length)];
  for (const e of entries) out.push(e.topic, e.key, e.value);
  return out;
}
