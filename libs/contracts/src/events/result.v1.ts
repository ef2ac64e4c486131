import { z } from 'zod';
import { JobRecord } from '../job-record.schema';
import { CloudEvent } from './cloudevent';

export const RESULT_EVENT_TYPES = [
  'ai.job.succeeded.v1',
  'ai.job.failed.v1',
  'ai.job.cancelled.v1',
] as const;
/** Value of an `ai.results.v1` message: the terminal job record. Its id is the job id. */
export const ResultEventV1 = CloudEvent(JobRecord).extend({ type: z.enum(RESULT_EVENT_TYPES) });
export type ResultEventV1 = z.infer<typeof ResultEventV1>;
