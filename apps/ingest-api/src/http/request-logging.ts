import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod, type DynamicModule } from '@nestjs/common';
import { traceIdOf, type Logger } from '@gateway/observability';
import { LoggerModule, type PinoLogger } from 'nestjs-pino';

/** Scrapes and probes answer every few seconds; their lines would drown the requests'. */
const QUIET_PATHS = new Set(['/metrics', '/healthz', '/readyz']);

/**
 * Request logging through nestjs-pino on the app's one pino logger (its level and redaction):
 * every line logged while a request is handled, and the line that closes it, carry
 * `requestId` (the `x-request-id` answer header) and `traceId` (the request's span, set by
 * the telemetry hook that runs before any middleware); {@link tagRequestLog} adds the tenant,
 * the job and its deployment once they are known.
 */
export function requestLoggingModule(log: Logger): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      logger: log,
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'requestId' },
      customProps: (req: IncomingMessage) => {
        const traceId = traceIdOf(req.headers.traceparent as string | undefined);
        return traceId ? { traceId } : {};
      },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
        err || res.statusCode >= 500 ? 'error' : 'info',
      autoLogging: {
        ignore: (req: IncomingMessage) =>
          req.method === 'GET' && QUIET_PATHS.has((req.url ?? '').split('?')[0]),
      },
    },
    // The fields a handler adds reach the request's closing line too.
    assignResponse: true,
    // nestjs-pino's default route pattern matches nothing under this Fastify adapter.
    forRoutes: [{ path: '/{*splat}', method: RequestMethod.ALL }],
  });
}

/** Ids of the request's subject, added to its later log lines (bounded values only). */
export interface RequestLogFields {
  readonly tenantId?: string;
  readonly keyId?: string;
  readonly jobId?: string;
  readonly deployment?: string;
}

/** Adds the ids to every later line of the current request, including its closing line. */
export function tagRequestLog(log: PinoLogger, fields: RequestLogFields): void {
  log.assign(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
}
