import pino, { type Logger } from 'pino';

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

/** The one logger factory: JSON lines with the app name, secrets redacted. */
export function createLogger(app: string, level = 'info'): Logger {
  return pino({
    name: app,
    level,
    base: { app, pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export type { Logger };
