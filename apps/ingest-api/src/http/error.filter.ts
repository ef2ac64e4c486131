import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { ApiErrorBody } from '@gateway/contracts';
import { GatewayError } from '@gateway/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@gateway/observability';
import { errorBody, fromClassified, isOpenAiPath } from '../openai/openai-error';
import { requestLogger } from './request-logging';

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message: string;
}

/** Fastify's own refusals, by error code. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    message: 'The request body is over the size limit',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'Send the body as application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'invalid_json',
    message: 'The body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'invalid_json',
    message: 'The body is empty; send a JSON object',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid_request',
    message: 'Content-Length does not match the body',
  },
};

/** Maps every failure to `{error: {code, message, details?, requestId}}` with its status. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  /** `log`: the app's logger; a 5xx line carries the request's ids. */
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<FastifyRequest>();
    const classified = this.classify(exception);
    const { status, code, message, details, retryAfter } = classified;
    if (status >= 500)
      requestLogger(this.log, req).error({ err: exception, url: req.url }, 'request failed');
    if (isOpenAiPath(req.url)) {
      // Refused before the OpenAI controllers' own filter (body parsing, unknown sub-route):
      // still OpenAI's shape, so the SDKs raise their typed errors.
      if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
      void reply
        .status(status)
        .header('content-type', 'application/json; charset=utf-8')
        .send(
          errorBody(
            fromClassified(
              status === 415 && req.url.startsWith('/v1/files')
                ? { ...classified, message: 'Send the file as multipart/form-data' }
                : classified,
            ),
          ),
        );
      return;
    }
    const body: ApiErrorBody = {
      error: { code, message, ...(details ? { details } : {}), requestId: String(req.id) },
    };
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  /** The status, code and message a failure answers with (the OpenAI façade reuses it). */
  classify(e: unknown): {
    status: number;
    code: string;
    message: string;
    details?: unknown[];
    retryAfter?: number;
  } {
    if (e instanceof GatewayError) {
      return {
        status: e.status,
        code: e.code,
        message: e.message,
        details: e.details,
        retryAfter: e.retryAfterSec,
      };
    }
    if (e instanceof HttpException) {
      const status = e.getStatus();
      if (status === 404) return { status, code: 'not_found', message: 'No such route' };
      if (status === 405)
        return { status, code: 'not_found', message: 'Method not allowed on this route' };
      const cause = (e as { cause?: FastifyLikeError }).cause;
      if (
        status === 400 &&
        (/JSON/i.test(e.message) ||
          /JSON/i.test(cause?.message ?? '') ||
          cause?.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
      ) {
        return { status, code: 'invalid_json', message: 'The body is not valid JSON' };
      }
      return {
        status,
        code:
          status === 413
            ? 'payload_too_large'
            : status === 415
              ? 'unsupported_media_type'
              : 'invalid_request',
        message: status === 415 ? 'Send the body as application/json' : e.message,
      };
    }
    const fe = e as FastifyLikeError;
    const known = fe?.code ? FASTIFY_ERRORS[fe.code] : undefined;
    if (known) return known;
    if (fe?.statusCode === 400 && /JSON/i.test(fe.message)) {
      return { status: 400, code: 'invalid_json', message: 'The body is not valid JSON' };
    }
    if (fe?.statusCode === 415) return FASTIFY_ERRORS.FST_ERR_CTP_INVALID_MEDIA_TYPE;
    if (fe?.statusCode === 413) return FASTIFY_ERRORS.FST_ERR_CTP_BODY_TOO_LARGE;
    if (fe?.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return { status: fe.statusCode, code: 'invalid_request', message: fe.message };
    }
    return {
      status: 500,
      code: 'internal_error',
      message: 'Internal error; the request id identifies it in the logs',
    };
  }
}
