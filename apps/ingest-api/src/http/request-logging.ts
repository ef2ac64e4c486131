import type { LoggerService } from '@nestjs/common';
import { traceIdOf, type Logger } from '@gateway/observability';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Scrapes and probes answer every few seconds; their lines would drown the requests'. */
const QUIET_PATHS = new Set(['/metrics', '/healthz', '/readyz']);

/** Ids of the request's subject, added to its later log lines (bounded values only). */
export interface RequestLogFields {
  readonly tenantId?: string;
  readonly keyId?: string;
  readonly jobId?: string;
  readonly deployment?: string;
}

const FIELDS = Symbol('requestLogFields');
type Tagged = { [FIELDS]?: Record<string, string> };

/** Adds the ids to every later line of the request, including its closing line. */
export function tagRequestLog(req: FastifyRequest, fields: RequestLogFields): void {
  const own = ((req as Tagged)[FIELDS] ??= {});
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) own[k] = v as string;
}

/** The request's own ids: `requestId` (the `x-request-id` answer header), `traceId`, tags. */
function idsOf(req: FastifyRequest): Record<string, string> {
  const traceId = traceIdOf(req.headers.traceparent as string | undefined);
  return {
    requestId: String(req.id),
    ...(traceId ? { traceId } : {}),
    ...(req as Tagged)[FIELDS],
  };
}

/**
 * The logger for lines written while a request is handled: they carry the request's ids.
 * A child logger is made only when a line is written (errors), not for every request.
 */
export function requestLogger(log: Logger, req: FastifyRequest): Logger {
  return log.child(idsOf(req));
}

/**
 * One closing line per request (`request completed`, info; error for 5xx) with the
 * request's ids, method, URL, headers (credentials and personal data redacted by the
 * logger), status and time. Built in the response hook only when its level is enabled, so
 * a quieter level costs nothing per request.
 */
export function installRequestLogging(fastify: FastifyInstance, log: Logger): void {
  fastify.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : 'info';
    if (
      log.isLevelEnabled(level) &&
      !(req.method === 'GET' && QUIET_PATHS.has(req.url.split('?')[0]))
    ) {
      log[level](
        {
          ...idsOf(req),
          req: {
            method: req.method,
            url: req.url,
            headers: req.headers,
            remoteAddress: req.ip,
          },
          res: { statusCode: status },
          responseTime: Math.round(reply.elapsedTime * 100) / 100,
        },
        'request completed',
      );
    }
    done();
  });
}

/** Nest's own lines (boot, routes, its errors) through the app's pino logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    rest: unknown[],
  ): void {
    if (!this.pino.isLevelEnabled(level)) return;
    // Nest passes the context (its class name) last.
    const context = typeof rest[rest.length - 1] === 'string' ? rest[rest.length - 1] : undefined;
    if (message instanceof Error) this.pino[level]({ err: message, context }, message.message);
    else if (typeof message === 'object' && message !== null)
      this.pino[level]({ ...message, context });
    else this.pino[level]({ context }, String(message));
  }
}
