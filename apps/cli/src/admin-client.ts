import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Exit codes: scripts branch on these. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  refused: 5,
  unavailable: 6,
} as const;

/** A failed command: its message and the exit code it maps to. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Where the gateway is and the admin key: GATEWAY_URL, GATEWAY_ADMIN_KEY or the key file. */
export function resolveTarget(env: NodeJS.ProcessEnv, cwd: string): { url: string; key: string } {
  const url = (env.GATEWAY_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
  let key = env.GATEWAY_ADMIN_KEY;
  if (!key) {
    const file = join(env.GATEWAY_DATA_DIR ?? join(cwd, '.gateway'), 'admin-key');
    try {
      key = readFileSync(file, 'utf8').trim();
    } catch {
      throw new CliError(
        `No admin key: set GATEWAY_ADMIN_KEY or run where ${file} exists (npm start writes it)`,
        EXIT.auth,
      );
    }
  }
  return { url, key };
}

const CODE_BY_STATUS = (status: number): number =>
  status === 401 || status === 403
    ? EXIT.auth
    : status === 404
      ? EXIT.notFound
      : status >= 500
        ? EXIT.unavailable
        : EXIT.refused;

/** The admin API over HTTP: JSON in, JSON (or text) out, errors as CliError with exit codes. */
export class AdminClient {
  constructor(private readonly target: { url: string; key: string }) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown; text: string }> {
    let res: Response;
    try {
      res = await fetch(`${this.target.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.target.key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(330_000),
      });
    } catch (e) {
      throw new CliError(
        `Cannot reach the gateway at ${this.target.url} (${(e as Error).message}); is it running? Set GATEWAY_URL`,
        EXIT.unavailable,
      );
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new CliError(
        `${res.status} ${err?.code ?? 'error'}: ${err?.message ?? text.slice(0, 200)}`,
        CODE_BY_STATUS(res.status),
      );
    }
    return { status: res.status, json, text };
  }
}
