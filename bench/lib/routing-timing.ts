/** Percentiles of a sample in microseconds (sorted copy; nearest-rank). */
export function summarize(samplesNs: Float64Array): {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
} {
  const s = Float64Array.from(samplesNs).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] / 1000;
  const sum = s.reduce((a, b) => a + b, 0);
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    p50: r(at(0.5)),
    p90: r(at(0.9)),
    p99: r(at(0.99)),
    mean: r(sum / s.length / 1000),
    max: r(s[s.length - 1] / 1000),
  };
}

/** Calls `fn(i)` `n` times and records each call's duration in nanoseconds. */
export function timeEach(n: number, fn: (i: number) => void): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    out[i] = Number(process.hrtime.bigint() - t0);
  }
  return out;
}
