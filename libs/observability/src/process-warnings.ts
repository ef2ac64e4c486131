import type { Logger } from 'pino';

/**
 * kafkajs 2.2.4 (its latest release) arms a timer with a negative delay whenever its request
 * queue is empty; Node 24 warns and runs it after 1 ms, which is what kafkajs meant.
 */
function isKafkajsNegativeTimer(w: Error): boolean {
  return (
    w.name === 'TimeoutNegativeWarning' &&
    /kafkajs[\\/]src[\\/]network[\\/]requestQueue/.test(w.stack ?? '')
  );
}

/** Takes Node's own stderr printer of process warnings off, so another one can stand in. */
function removeNodePrinter(): void {
  for (const l of process.listeners('warning')) {
    if (l.name === 'onWarning') process.removeListener('warning', l);
  }
}

/**
 * Process warnings (deprecations, listener leaks, negative timers...) become lines of the
 * app's JSON log instead of bare text on stderr, with the warning's name, code and where it
 * was raised. kafkajs's known negative timer goes at debug level, every other one at warn.
 * Replaces Node's own printer; other listeners stay.
 */
export function logProcessWarnings(log: Logger): void {
  removeNodePrinter();
  process.on('warning', (w: Error & { code?: string }) => {
    const fields = {
      warning: w.name,
      ...(w.code ? { code: w.code } : {}),
      at: w.stack
        ?.split('\n')
        .slice(1, 4)
        .map((s) => s.trim()),
    };
    if (isKafkajsNegativeTimer(w)) log.debug(fields, w.message);
    else log.warn(fields, w.message);
  });
}

let printing = false;

/**
 * For processes without a JSON log (the start, test and bench scripts, test files): warnings
 * on stderr as Node prints them, without kafkajs's known negative timer. Once per process.
 */
export function printProcessWarnings(
  write: (line: string) => void = (line) => void process.stderr.write(line),
): void {
  if (printing) return;
  printing = true;
  removeNodePrinter();
  process.on('warning', (w: Error & { code?: string }) => {
    if (isKafkajsNegativeTimer(w)) return;
    const code = w.code ? `[${w.code}] ` : '';
    const text = process.traceProcessWarnings && w.stack ? w.stack : `${w.name}: ${w.message}`;
    write(`(node:${process.pid}) ${code}${text}\n`);
  });
}
