import type { ApiErrorBody } from '@gateway/contracts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, fromClassified, isOpenAiPath } from '../openai/openai-error';

/**
 * Fastify's router refuses some requests before Nest sees them (a malformed URL, a path
 * parameter over `maxParamLength`), so Nest's error filter never runs: answer those in the
 * documented error shape too. The path is not echoed: it is the caller's arbitrary input.
 */
export function frameworkErrors(
  error: FastifyError,
  req: FastifyRequest,
  reply: FastifyReply,
): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const status = tooLong ? 414 : 400;
  const message = tooLong
    ? 'A path segment is over 100 characters; no id is that long'
    : 'The URL is malformed: check its percent-encoding';
  const body: ApiErrorBody | ReturnType<typeof errorBody> = isOpenAiPath(req.url)
    ? errorBody(fromClassified({ status, code: 'invalid_request', message }))
    : { error: { code: 'invalid_request', message, requestId: String(req.id) } };
  void reply
    .status(status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('x-request-id', String(req.id))
    .send(body);
}
