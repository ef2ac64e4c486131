import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The API key the lean reference's ingest accepts. */
export const LEAN_KEY = 'bench-reference-key';

/** A reference pipeline's process (bench/lib/reference-pipelines.ts), once it is ready. */
export interface ReferenceProcess {
  readonly child: ChildProcess;
  /** The port a server mode listens on. */
  readonly port?: number;
  stop(): Promise<void>;
}

export async function startReference(mode: string, args: string[]): Promise<ReferenceProcess> {
  const child = fork(join(__dirname, 'reference-pipelines.js'), [mode, ...args]);
  const first = await new Promise<unknown>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`reference ${mode} exited with ${code}`)));
  });
  const port =
    typeof first === 'object' && first && 'port' in first ? Number(first.port) : undefined;
  return {
    child,
    port,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}
