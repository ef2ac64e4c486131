import type { Logger } from '@gateway/observability';

/**
 * Runs `stop` once on SIGINT/SIGTERM, then exits; a second signal or the deadline forces
 * the exit so a stuck close never keeps a process alive.
 */
export function onShutdown(log: Logger, deadlineMs: number, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.warn('shutdown deadline passed; exiting');
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    stop()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        log.error({ err: (e as Error).message }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
