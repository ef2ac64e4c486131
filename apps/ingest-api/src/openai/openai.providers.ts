import type { Provider } from '@nestjs/common';
import type { GatewayContext, JobWaiter, SubmitJobUseCase } from '@gateway/platform';
import { JOB_WAITER, SUBMIT_JOB } from '../tokens';
import { CompletionsController } from './completions.controller';
import { ModelsController } from './models.controller';
import { OpenAiErrorFilter } from './openai-error.filter';
import { OpenAiJobs } from './openai-jobs';
import { OPENAI_JOBS } from './openai.tokens';

/** The OpenAI façade's controllers, for the ingest module. */
export const OPENAI_CONTROLLERS = [CompletionsController, ModelsController];

/** The OpenAI façade's services, built over the ingest API's shared use cases. */
export function openAiProviders(ctx: GatewayContext): Provider[] {
  return [
    OpenAiErrorFilter,
    {
      provide: OPENAI_JOBS,
      useFactory: (submit: SubmitJobUseCase, waiter: JobWaiter) =>
        new OpenAiJobs(ctx, submit, waiter),
      inject: [SUBMIT_JOB, JOB_WAITER],
    },
  ];
}
