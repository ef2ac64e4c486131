import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** Asks the OS for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Resolves true when a command is on PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Polls `check` until it resolves true, the deadline passes or `signal` is aborted. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 200,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new Error(`Stopped waiting for ${what}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Waits until a server process just spawned (detached, so Ctrl-C does not reach it before
 * the apps have stopped) answers. When it does not get there (it exits, the wait times out,
 * or `signal` is aborted: Ctrl-C during startup) the process is stopped before this rejects,
 * so a failed or cancelled start leaves nothing running.
 */
export async function untilReady(
  child: ChildProcess,
  ready: (stopWaiting: AbortSignal) => Promise<void>,
  opts: { what: string; exitHint: string; graceMs: number; signal?: AbortSignal },
): Promise<void> {
  const waiting = new AbortController();
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, sig) =>
      reject(new Error(`${opts.what} exited with ${code ?? sig}; see ${opts.exitHint}`)),
    ),
  );
  exited.catch(() => undefined);
  let onAbort: () => void = () => undefined;
  const cancelled = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error(`Startup of ${opts.what} cancelled`));
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
  cancelled.catch(() => undefined);
  try {
    await Promise.race([ready(waiting.signal), exited, cancelled]);
  } catch (e) {
    await stopProcess(child, opts.graceMs);
    throw e;
  } finally {
    waiting.abort();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** True when a pid names a live process. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command to completion, inheriting or capturing output; rejects on failure. */
export async function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; quiet?: boolean; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      // Aborting kills the command (SIGTERM) and rejects with the abort error.
      signal: opts.signal,
      stdio: opts.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${out.slice(-4000)}`)),
    );
  });
}
