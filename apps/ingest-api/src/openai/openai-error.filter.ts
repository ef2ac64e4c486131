import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import type { Logger } from '@gateway/observability';
import type { GatewayContext } from '@gateway/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorFilter } from '../http/error.filter';
import { requestLogger } from '../http/request-logging';
import { GATEWAY_CONTEXT } from '../tokens';
import { OpenAiHttpError, errorBody, fromClassified } from './openai-error';

/**
 * The OpenAI routes answer in OpenAI's error shape, so the SDKs raise their typed errors
 * (`AuthenticationError`, `RateLimitError`...). Statuses and retry headers are the gateway's.
 */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly gateway: ErrorFilter;
  private readonly log: Logger;

  constructor(@Inject(GATEWAY_CONTEXT) ctx: GatewayContext) {
    this.log = ctx.log;
    this.gateway = new ErrorFilter(ctx.log);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const e = this.toOpenAi(exception);
    if (e.status >= 500 && !(exception instanceof OpenAiHttpError))
      requestLogger(this.log, req).error({ err: exception, url: req.url }, 'request failed');
    if (reply.sent || reply.raw.headersSent) return;
    if (e.retryAfterSec !== undefined) void reply.header('retry-after', String(e.retryAfterSec));
    void reply
      .status(e.status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorBody(e));
  }

  toOpenAi(exception: unknown): OpenAiHttpError {
    if (exception instanceof OpenAiHttpError) return exception;
    return fromClassified(this.gateway.classify(exception));
  }
}
