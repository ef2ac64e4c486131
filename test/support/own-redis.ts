import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedis, type RedisHandle } from '../../infra/src';

/**
 * A Redis of the test's own, for faults that would hurt other tests on the shared one: it
 * can be SIGKILLed and started again on the same data folder (so on the same AOF).
 */
export class OwnRedis {
  private handle: RedisHandle | undefined;
  private readonly dir = mkdtempSync(join(process.env.GATEWAY_TEST_DATA_DIR ?? tmpdir(), 'redis-'));

  private constructor(readonly url: string) {}

  static async start(): Promise<OwnRedis> {
    const r = new OwnRedis(`redis://127.0.0.1:${await freePort()}`);
    await r.boot();
    return r;
  }

  /** Starts redis-server on the same port and data folder; it replays the AOF. */
  async boot(): Promise<void> {
    this.handle = await startRedis({ url: this.url, dataDir: this.dir, log: () => undefined });
    if (!this.handle.child) throw new Error(`Something else answers at ${this.url}`);
  }

  /** SIGKILL: no shutdown, no final fsync; only what reached the AOF survives. */
  async kill(): Promise<void> {
    const child = this.handle?.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.handle = undefined;
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
    this.handle = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
