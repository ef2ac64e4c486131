import pino, { type DestinationStream, type Logger } from 'pino';

/** Paths pino blanks in every line: credentials and raw payloads never reach logs. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["api-key"]',
  'headers.authorization',
  'authorization',
  'apiKey',
  'apiKeys',
  'key',
  'secret',
  'secretAccessKey',
  'password',
  'input',
  'output',
  '*.apiKey',
  '*.secret',
  '*.input',
  '*.output',
];

/**
 * Personal data that may sit in log lines: client addresses and forwarding headers, and the
 * free-form job fields a client may fill with anything. Operators add their own with LOG_REDACT.
 */
export const PII_REDACT_PATHS = [
  'req.remoteAddress',
  'req.headers["x-forwarded-for"]',
  'req.headers["x-real-ip"]',
  'req.headers.forwarded',
  'metadata',
  '*.metadata',
  'email',
  '*.email',
];

let defaultDestination: DestinationStream | undefined;

/**
 * Sends the lines of loggers created from now on to `dest` instead of stdout. For tests that
 * run apps in-process and read their log lines; pass undefined to restore stdout.
 */
export function setLogDestination(dest: DestinationStream | undefined): void {
  defaultDestination = dest;
}

/**
 * The one logger factory: JSON lines with the app name; secrets, personal data and the
 * operator's own `redact` paths (pino path syntax, e.g. `req.headers["x-user-email"]`) are
 * replaced by `[redacted]`. The ingest API logs its requests and Nest's own lines through it.
 */
export function createLogger(
  app: string,
  level = 'info',
  dest = defaultDestination,
  redact: readonly string[] = [],
): Logger {
  const options = {
    name: app,
    level,
    base: { app, pid: process.pid },
    redact: {
      paths: [...new Set([...REDACT_PATHS, ...PII_REDACT_PATHS, ...redact])],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return dest ? pino(options, dest) : pino(options);
}

/** The ids every log line about a job carries (bounded, never payloads). */
export interface JobLogFields {
  readonly jobId: string;
  readonly tenantId: string;
  readonly deployment: string;
  readonly traceId?: string;
  readonly requestId?: string;
}

/** A child logger whose lines all carry the job's ids. */
export function jobLogger(log: Logger, f: JobLogFields): Logger {
  return log.child({
    jobId: f.jobId,
    tenantId: f.tenantId,
    deployment: f.deployment,
    ...(f.traceId ? { traceId: f.traceId } : {}),
    ...(f.requestId ? { requestId: f.requestId } : {}),
  });
}

export type { Logger };
