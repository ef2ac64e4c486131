/** One measured job of the soak: when it was offered and how long its parts took. */
export interface Sample {
  readonly at: number;
  readonly submitMs: number;
  readonly totalMs: number;
  readonly ok: boolean;
}

export interface WindowStats {
  readonly fromMin: number;
  readonly toMin: number;
  readonly jobs: number;
  readonly failed: number;
  readonly submitP99: number;
  readonly totalP50: number;
  readonly totalP99: number;
  readonly redisMb: number | null;
  /** Mean RSS per process over the window's samples. */
  readonly rssMb: Record<string, number | null>;
}

/** Nearest-rank percentile of `xs` (unsorted); 0 for none. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const mean = (xs: number[]) =>
  xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null;

/** Cuts the run into windows of `windowMs` and summarises latency and memory in each. */
export function summarizeWindows(
  samples: readonly Sample[],
  memory: readonly Record<string, number | null>[],
  windowMs: number,
): WindowStats[] {
  // A reduce, not Math.max(...xs): a 30-minute run has more samples than a call takes arguments.
  let last = 0;
  for (const s of samples) last = Math.max(last, s.at);
  for (const m of memory) last = Math.max(last, m.at ?? 0);
  const count = Math.max(1, Math.ceil((last + 1) / windowMs));
  const out: WindowStats[] = [];
  for (let w = 0; w < count; w++) {
    const [from, to] = [w * windowMs, (w + 1) * windowMs];
    const inW = samples.filter((s) => s.at >= from && s.at < to);
    const mem = memory.filter((m) => (m.at ?? -1) >= from && (m.at ?? -1) < to);
    const procs = new Set(mem.flatMap((m) => Object.keys(m)));
    ['at', 'redisMb', 'inflight'].forEach((k) => procs.delete(k));
    const rssMb: Record<string, number | null> = {};
    for (const p of procs)
      rssMb[p] = mean(mem.map((m) => m[p]).filter((v): v is number => typeof v === 'number'));
    out.push({
      fromMin: Math.round((from / 60_000) * 10) / 10,
      toMin: Math.round((to / 60_000) * 10) / 10,
      jobs: inW.length,
      failed: inW.filter((s) => !s.ok).length,
      submitP99: percentile(
        inW.map((s) => s.submitMs),
        99,
      ),
      totalP50: percentile(
        inW.map((s) => s.totalMs),
        50,
      ),
      totalP99: percentile(
        inW.map((s) => s.totalMs),
        99,
      ),
      redisMb: mean(mem.map((m) => m.redisMb).filter((v): v is number => typeof v === 'number')),
      rssMb,
    });
  }
  return out;
}
