import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { stopProcess } from '../../infra/src';

export interface AppSpec {
  readonly name: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs each app as its own Node process (`dist/apps/<app>/main.js`), restarts one that dies
 * (with backoff), and stops them all on request. Output goes to `.gateway/logs/<app>.log`
 * and, for warnings and errors, to the console.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private readonly logs = new Map<string, WriteStream>();
  private stopping = false;
  readonly restarts = new Map<string, number>();

  constructor(
    private readonly dist: string,
    private readonly logDir: string,
    private readonly baseEnv: NodeJS.ProcessEnv,
    private readonly say: (m: string) => void,
    /** Called after each (re)spawn, e.g. to record the pids. */
    private readonly onSpawn: () => void = () => undefined,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  start(app: AppSpec): void {
    const log =
      this.logs.get(app.name) ??
      createWriteStream(join(this.logDir, `${app.name}.log`), { flags: 'a' });
    this.logs.set(app.name, log);
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', join(this.dist, 'apps', app.name, 'main.js')],
      {
        cwd: process.cwd(),
        env: { ...this.baseEnv, ...app.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${app.name}] ${d.toString()}`));
    this.children.set(app.name, child);
    this.onSpawn();
    child.on('exit', (code, signal) => {
      if (this.stopping) return;
      const n = (this.restarts.get(app.name) ?? 0) + 1;
      this.restarts.set(app.name, n);
      const delay = Math.min(10_000, 250 * 2 ** Math.min(n, 6));
      this.say(`${app.name} exited (${signal ?? code}); restarting in ${delay} ms`);
      setTimeout(() => !this.stopping && this.start(app), delay);
    });
  }

  pids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.children].map(([n, c]) => [n, c.pid]));
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.children.values()].map((c) => stopProcess(c, graceMs)));
    this.logs.forEach((l) => l.end());
  }
}
