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
import type { JobRecord } from '@gateway/contracts';
import type { FastifyReply } from 'fastify';
import type { JobGovernance } from '@gateway/governance';
import {
  ApiKeyGuard,
  CountedAtAdmission,
  countedSubmission,
  RequireScope,
  type AuthedRequest,
} from '../http/auth.guard';
import { setRateLimitHeaders } from '../http/rate-limit-headers';
import { JOB_GOVERNANCE } from '../tokens';
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

/**
 * Aborts when the client closes the connection before the answer is complete. The response's
 * `close` is the signal: the request's own `close` fires as soon as its body has been read.
 */
function clientGone(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  const res = reply.raw;
  if (res.destroyed) ac.abort();
  else res.once('close', () => !res.writableFinished && ac.abort());
  return ac.signal;
}

/** `POST /v1/chat/completions` and `POST /v1/embeddings`, each one gateway job. */
@Controller('v1')
@UseGuards(ApiKeyGuard)
@UseFilters(OpenAiErrorFilter)
export class CompletionsController {
  constructor(
    @Inject(OPENAI_JOBS) private readonly jobs: OpenAiJobs,
    @Inject(JOB_GOVERNANCE) private readonly gov: JobGovernance,
  ) {}

  @Post('chat/completions')
  @HttpCode(200)
  @RequireScope('jobs:write')
  @CountedAtAdmission()
  async chat(
    @Req() req: AuthedRequest,
    @Body() body: unknown,
    @Headers('traceparent') traceparent: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const gone = clientGone(reply);
    const { oa, record } = await countedSubmission(this.gov, req, reply, async (counted) => {
      const oa = parseOpenAi(ChatCompletionRequest, body);
      const job = chatJobRequest(oa, { stream: oa.stream === true });
      return { oa, record: await this.submit(req, reply, job, traceparent, gone, counted) };
    });
    const stream = oa.stream === true;
    if (!record) return;
    if (!stream) {
      const done = await this.jobs.waitSucceeded(record, gone);
      if (gone.aborted) return;
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
    try {
      await relayChatStream({
        jobs: this.jobs,
        record,
        res,
        includeUsage: oa.stream_options?.include_usage === true,
        aborted: () => gone.aborted,
      });
    } catch (e) {
      this.jobs.ctx.log.error({ err: e, jobId: record.id }, 'chat stream relay failed');
      res.end();
    }
  }

  @Post('embeddings')
  @HttpCode(200)
  @RequireScope('jobs:write')
  @CountedAtAdmission()
  async embeddings(
    @Req() req: AuthedRequest,
    @Body() body: unknown,
    @Headers('traceparent') traceparent: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const gone = clientGone(reply);
    const { oa, record } = await countedSubmission(this.gov, req, reply, async (counted) => {
      const oa = parseOpenAi(EmbeddingsRequest, body);
      return {
        oa,
        record: await this.submit(req, reply, embedJobRequest(oa), traceparent, gone, counted),
      };
    });
    if (!record) return;
    const done = await this.jobs.waitSucceeded(record, gone);
    if (gone.aborted) return;
    void reply.header('x-gateway-job-id', record.id);
    return embeddingsListOf(done, oa.encoding_format ?? 'float');
  }

  /**
   * Submits the call's job (with the rate headers of its admission) and ties it to the
   * connection: once the client is gone the job is cancelled, whether it is still queued or
   * already running. Nothing is submitted (and undefined returned) when the client left while
   * the request was being admitted.
   */
  private async submit(
    req: AuthedRequest,
    reply: FastifyReply,
    body: Record<string, unknown>,
    traceparent: string | undefined,
    gone: AbortSignal,
    requestCounted: boolean,
  ): Promise<JobRecord | undefined> {
    if (gone.aborted) return undefined;
    const principal = req.principal!;
    const { record, rateLimit } = await this.jobs.submit(
      principal,
      body,
      traceparent,
      requestCounted,
    );
    setRateLimitHeaders(reply, [...(req.rateLimit ?? []), ...(rateLimit ?? [])]);
    const abandon = () => void this.jobs.abandon(principal, record.id);
    if (gone.aborted) abandon();
    else gone.addEventListener('abort', abandon, { once: true });
    return record;
  }
}
