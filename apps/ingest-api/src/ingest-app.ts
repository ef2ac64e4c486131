import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { KeyStore } from '@gateway/governance';
import { GatewayContext } from '@gateway/platform';
import { ErrorFilter } from './http/error.filter';
import { IngestApiModule } from './ingest-api.module';
import { JOB_WAITER } from './tokens';
import type { JobWaiter } from '@gateway/platform';

/** Builds the ingest API on a context; tests call this too. */
export async function createIngestApp(ctx: GatewayContext): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: ctx.env.bodyLimitBytes,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given)
        ? given
        : `req_${randomBytes(8).toString('hex')}`;
    },
    requestIdHeader: false,
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    IngestApiModule.forContext(ctx),
    adapter,
    {
      logger: ['error', 'warn'],
      bufferLogs: false,
    },
  );
  app.useGlobalFilters(new ErrorFilter(ctx.log));
  const fastify = app.getHttpAdapter().getInstance();
  // JSON only: anything else is refused with 415 instead of reaching validation as a string.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', String(req.id));
  });
  await app.get(KeyStore).listen();
  app.enableShutdownHooks();
  const waiter = app.get<JobWaiter>(JOB_WAITER);
  fastify.addHook('onClose', async () => {
    waiter.close();
    await app.get(KeyStore).close();
    await ctx.close();
  });
  return app;
}
