import type { Socket } from 'node:net';
import type { Redis } from 'ioredis';

/** Counts the writes that reach a Redis client's socket (one per syscall-level write or writev). */
export function countSocketWrites(redis: Redis): { count: () => number } {
  const socket = (redis as unknown as { stream: Socket }).stream as Socket & {
    _write: (...a: unknown[]) => void;
    _writev?: (...a: unknown[]) => void;
  };
  let n = 0;
  const write = socket._write.bind(socket);
  socket._write = (...a: unknown[]) => {
    n++;
    write(...a);
  };
  const writev = socket._writev?.bind(socket);
  if (writev)
    socket._writev = (...a: unknown[]) => {
      n++;
      writev(...a);
    };
  return { count: () => n };
}

/**
 * Records the commands a client sends (`name firstArg`) until `stop` is called. Only commands
 * sent through `sendCommand` (every command, script and pipeline member of ioredis).
 */
export function recordCommands(redis: Redis): { seen: string[]; stop: () => void } {
  const seen: string[] = [];
  const r = redis as unknown as {
    sendCommand: (c: { name: string; args: unknown[] }) => unknown;
  };
  const send = r.sendCommand.bind(redis);
  r.sendCommand = (c) => {
    seen.push(`${c.name} ${String(c.args[0])}`);
    return send(c);
  };
  return { seen, stop: () => void (r.sendCommand = send) };
}
