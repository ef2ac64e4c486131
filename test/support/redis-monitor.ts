import { connect, type Socket } from 'node:net';

/**
 * MONITOR on a raw connection: the commands a Redis server runs, each as `[name, ...args]`
 * (name lower-cased). A client library's connection handshake (HELLO, CLIENT SETINFO, a
 * ready check) can meet the first monitored line and trip its reply queue on a busy
 * server; a socket that sends MONITOR alone cannot. Arguments are kept as Redis quotes them
 * (enough for key names and plain values).
 */
export class RedisMonitor {
  readonly commands: string[][] = [];
  private buffered = '';
  private ok = false;

  private constructor(private readonly socket: Socket) {}

  /** Connects to `url` (`redis://host:port`) and waits until the server monitors. */
  static async start(url: string): Promise<RedisMonitor> {
    const u = new URL(url);
    const socket = connect(Number(u.port), u.hostname);
    const monitor = new RedisMonitor(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`MONITOR on ${url}: no answer in 5 s`)),
        5000,
      );
      socket.once('error', reject);
      socket.on('data', (d: Buffer) => {
        if (monitor.take(d.toString('utf8'))) {
          clearTimeout(timer);
          resolve();
        }
      });
      socket.write('MONITOR\r\n');
    });
    socket.on('error', () => undefined);
    return monitor;
  }

  /** Parses complete lines; true once the server said OK to MONITOR. */
  private take(chunk: string): boolean {
    this.buffered += chunk;
    let end: number;
    while ((end = this.buffered.indexOf('\r\n')) >= 0) {
      const line = this.buffered.slice(0, end);
      this.buffered = this.buffered.slice(end + 2);
      if (line === '+OK') this.ok = true;
      else if (line.startsWith('+')) {
        const args = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
        if (args.length) this.commands.push([args[0].toLowerCase(), ...args.slice(1)]);
      }
    }
    return this.ok;
  }

  stop(): void {
    this.socket.destroy();
  }
}
