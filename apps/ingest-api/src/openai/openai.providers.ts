import type { Provider } from '@nestjs/common';
import type {
  CancelJobUseCase,
  GatewayContext,
  JobWaiter,
  SubmitJobUseCase,
} from '@gateway/platform';
import { CANCEL_JOB, JOB_WAITER, SUBMIT_JOB } from '../tokens';
import { WEBHOOK_API, type WebhookApi } from '../webhooks/webhook-api';
import { BatchFanout } from './batch-fanout';
import { BatchRunner } from './batch-runner';
import { BatchStore } from './batch-store';
import { BatchWebhooks } from './batch-webhooks';
import { BatchesController } from './batches.controller';
import { FileStore } from './file-store';
import { FilesController } from './files.controller';
import { CompletionsController } from './completions.controller';
import { ModelsController } from './models.controller';
import { OpenAiErrorFilter } from './openai-error.filter';
import { OpenAiJobs } from './openai-jobs';
import { BATCH_RUNNER, OPENAI_BATCHES, OPENAI_FILES, OPENAI_JOBS } from './openai.tokens';

/** The OpenAI façade's controllers, for the ingest module. */
export const OPENAI_CONTROLLERS = [
  CompletionsController,
  ModelsController,
  FilesController,
  BatchesController,
];

/** The OpenAI façade's services, built over the ingest API's shared use cases. */
export function openAiProviders(ctx: GatewayContext): Provider[] {
  const files = new FileStore(ctx);
  const batches = new BatchStore(ctx);
  return [
    OpenAiErrorFilter,
    {
      provide: OPENAI_JOBS,
      useFactory: (submit: SubmitJobUseCase, waiter: JobWaiter, cancel: CancelJobUseCase) =>
        new OpenAiJobs(ctx, submit, waiter, cancel),
      inject: [SUBMIT_JOB, JOB_WAITER, CANCEL_JOB],
    },
    { provide: OPENAI_FILES, useValue: files },
    { provide: OPENAI_BATCHES, useValue: batches },
    {
      provide: BATCH_RUNNER,
      useFactory: (
        submit: SubmitJobUseCase,
        cancel: CancelJobUseCase,
        errors: OpenAiErrorFilter,
        webhooks: WebhookApi,
      ) =>
        new BatchRunner(
          batches,
          files,
          new BatchFanout(batches, files, submit, errors),
          cancel,
          new BatchWebhooks(batches, webhooks),
        ),
      inject: [SUBMIT_JOB, CANCEL_JOB, OpenAiErrorFilter, WEBHOOK_API],
    },
  ];
}
