import {
  Body,
  Controller,
  Headers,
  HttpCode,
  Inject,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiKeyGuard, RequireScope, type AuthedRequest } from '../http/auth.guard';
import {
  chatCompletionOf,
  chatJobRequest,
  embedJobRequest,
  embeddingsListOf,
  parseOpenAi,
} from './chat.mapper';
import { ChatCompletionRequest, EmbeddingsRequest } from './chat.schema';
import { relayChatStream } from './chat-stream';
import { OpenAiErrorFilter } from './openai-error.filter';
import type { OpenAiJobs } from './openai-jobs';
import { OPENAI_JOBS } from './openai.tokens';

/** Aborts when the client goes away, so a waiting request stops waiting. */
function clientGone(req: AuthedRequest): AbortSignal {
  const ac = new AbortController();
  req.raw.once('close', () => ac.abort());
  return ac.signal;
}

/** `POST /v1/chat/completions` and `POST /v1/embeddings`, each one gateway job. */
@Controller('v1')
@UseGuards(ApiKeyGuard)
@UseFilters(OpenAiErrorFilter)
export class CompletionsController {
  constructor(@Inject(OPENAI_JOBS) private readonly jobs: OpenAiJobs) {}

  @Post('chat/completions')
  @HttpCode(200)
  @RequireScope('jobs:write')
  async chat(
    @Req() req: AuthedRequest,
    @Body() body: unknown,
    @Headers('traceparent') traceparent: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const oa = parseOpenAi(ChatCompletionRequest, body);
    const stream = oa.stream === true;
    const record = await this.jobs.submit(
      req.principal!,
      chatJobRequest(oa, { stream }),
      traceparent,
    );
    if (!stream) {
      const done = await this.jobs.waitSucceeded(record, clientGone(req));
      void reply.header('x-gateway-job-id', record.id).send(chatCompletionOf(done));
      return;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': String(req.id),
      'x-gateway-job-id': record.id,
    });
    let gone = false;
    req.raw.once('close', () => (gone = true));
    try {
      await relayChatStream({
        jobs: this.jobs,
        record,
        res,
        includeUsage: oa.stream_options?.include_usage === true,
        aborted: () => gone,
      });
    } catch (e) {
      this.jobs.ctx.log.error({ err: e, jobId: record.id }, 'chat stream relay failed');
      res.end();
    }
  }

  @Post('embeddings')
  @HttpCode(200)
  @RequireScope('jobs:write')
  async embeddings(
    @Req() req: AuthedRequest,
    @Body() body: unknown,
    @Headers('traceparent') traceparent: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const oa = parseOpenAi(EmbeddingsRequest, body);
    const record = await this.jobs.submit(req.principal!, embedJobRequest(oa), traceparent);
    const done = await this.jobs.waitSucceeded(record, clientGone(req));
    void reply.header('x-gateway-job-id', record.id);
    return embeddingsListOf(done, oa.encoding_format ?? 'float');
  }
}
