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

/**
 * Process warnings (deprecations, listener leaks, negative timers...) become lines of the
 * app's JSON log instead of bare text on stderr, with the warning's name, code and where it
 * was raised. kafkajs's known negative timer goes at debug level, every other one at warn.
 * Replaces Node's own printer; other listeners stay.
 */
export function logProcessWarnings(log: Logger): void {
  for (const l of process.listeners('warning')) {
    if (l.name === 'onWarning') process.removeListener('warning', l);
  }
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
