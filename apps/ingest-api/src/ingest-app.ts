import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import multipart from '@fastify/multipart';
import { KeyStore } from '@gateway/governance';
import { newRequestId } from '@gateway/queue';
import { GatewayContext } from '@gateway/platform';
import { ErrorFilter } from './http/error.filter';
import { frameworkErrors } from './http/framework-errors';
import { installLingeringClose } from './http/lingering-close';
import { installRequestLogging, NestPinoLogger } from './http/request-logging';
import { IngestApiModule } from './ingest-api.module';
import { installHttpTelemetry } from './ops/http-telemetry';
import { installOps } from './ops/install-ops';
import { JOB_WAITER } from './tokens';
import type { JobWaiter } from '@gateway/platform';

/** Builds the ingest API on a context; tests call this too. */
export async function createIngestApp(ctx: GatewayContext): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: ctx.env.bodyLimitBytes,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : newRequestId();
    },
    requestIdHeader: false,
    return503OnClosing: true,
    frameworkErrors,
  });
  // The telemetry hook runs first, so the closing line carries the request's trace id.
  installHttpTelemetry(adapter.getInstance());
  installRequestLogging(adapter.getInstance(), ctx.log);
  installLingeringClose(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(
    IngestApiModule.forContext(ctx),
    adapter,
    { bufferLogs: true },
  );
  // Nest's own lines go through the same pino logger as the requests'.
  app.useLogger(new NestPinoLogger(ctx.log));
  app.useGlobalFilters(new ErrorFilter(ctx.log));
  // Multipart only for `POST /v1/files`; its own size limit, one file per request.
  await app.register(multipart, {
    limits: { fileSize: ctx.env.filesMaxBytes, files: 1, fields: 8 },
  });
  const fastify = app.getHttpAdapter().getInstance();
  // JSON only: anything else is refused with 415 instead of reaching validation as a string.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', String(req.id));
  });
  await installOps(app, ctx);
  await app.get(KeyStore).listen();
  const waiter = app.get<JobWaiter>(JOB_WAITER);
  fastify.addHook('onClose', async () => {
    waiter.close();
    await app.get(KeyStore).close();
    await ctx.close();
  });
  return app;
}
