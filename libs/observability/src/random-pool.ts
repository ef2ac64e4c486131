import { randomFillSync } from 'node:crypto';

// Ids take their bytes from a pool filled 4 KiB at a time: one CSPRNG call per a few hundred
// ids instead of one or two per id on the hot paths (job, request and span ids).
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** `n` (at most 4096) cryptographically random bytes, each handed out once (a copy). */
export function randomId(n: number): Buffer {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += n;
  return Buffer.from(pool.subarray(poolAt - n, poolAt));
}
