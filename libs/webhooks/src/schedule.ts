/** Each delay is stretched or shrunk by up to this share, so retries of many deliveries
 * that failed together (a receiver outage) do not all come back at the same instant. */
const JITTER = 0.2;

/**
 * How long to wait before the next attempt, or null when there is none.
 *
 * `attempt` is the 1-based number of the attempt that just failed; `schedule` lists the
 * delays in seconds between attempts (`webhooks.schedule`), so a schedule of n delays
 * allows n + 1 attempts. The result is the scheduled delay ±20 %, in whole milliseconds.
 */
export function nextAttemptDelayMs(
  attempt: number,
  schedule: readonly number[],
  random: () => number = Math.random,
): number | null {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`nextAttemptDelayMs: attempt must be an integer >= 1, got ${attempt}`);
  }
  if (attempt > schedule.length) return null;
  const seconds = schedule[attempt - 1];
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(`nextAttemptDelayMs: schedule[${attempt - 1}] must be seconds >= 0`);
  }
  // Clamp so a misbehaving random source cannot push the delay outside the ±20 % band.
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(seconds * 1000 * (1 - JITTER + 2 * JITTER * r));
}
