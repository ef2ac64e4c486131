/**
 * A provider's API keys, used in turn. A key the vendor rejects (401) is set aside for a
 * cool-down; while every key is set aside the one set aside longest ago is tried again, so a
 * key fixed at the vendor is found without a restart.
 */
export class KeyRing {
  private readonly keys: readonly string[];
  private readonly asideSince = new Map<string, number>();
  private cursor = 0;

  constructor(
    keys: readonly (string | undefined)[],
    private readonly cooldownMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = [...new Set(keys.filter((k): k is string => !!k))];
  }

  get size(): number {
    return this.keys.length;
  }

  /** Every key, for redacting messages. */
  get all(): readonly string[] {
    return this.keys;
  }

  /** The next key to use, skipping `exclude` (keys already tried by this call). */
  next(exclude: ReadonlySet<string> = new Set()): string | undefined {
    const t = this.now();
    for (const [k, since] of this.asideSince)
      if (t - since >= this.cooldownMs) this.asideSince.delete(k);
    const n = this.keys.length;
    for (let i = 0; i < n; i++) {
      const key = this.keys[(this.cursor + i) % n];
      if (exclude.has(key) || this.asideSince.has(key)) continue;
      this.cursor = (this.cursor + i + 1) % n;
      return key;
    }
    let oldest: string | undefined;
    for (const key of this.keys) {
      if (exclude.has(key)) continue;
      if (oldest === undefined || this.asideSince.get(key)! < this.asideSince.get(oldest)!)
        oldest = key;
    }
    return oldest;
  }

  setAside(key: string): void {
    this.asideSince.set(key, this.now());
  }

  isSetAside(key: string): boolean {
    return this.asideSince.has(key);
  }
}
