import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorFilter } from '../http/error.filter';
import { OpenAiHttpError, errorBody, fromClassified } from './openai-error';

/**
 * The OpenAI routes answer in OpenAI's error shape, so the SDKs raise their typed errors
 * (`AuthenticationError`, `RateLimitError`...). Statuses and retry headers are the gateway's.
 */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly gateway: ErrorFilter;

  constructor(@Inject(PinoLogger) private readonly log: PinoLogger) {
    this.gateway = new ErrorFilter(log);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const e = this.toOpenAi(exception);
    if (e.status >= 500 && !(exception instanceof OpenAiHttpError))
      this.log.error({ err: exception, url: req.url }, 'request failed');
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
