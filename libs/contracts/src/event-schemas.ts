import { z } from 'zod';
import { AuditEventV1 } from './events/audit.v1';
import { ResultEventV1 } from './events/result.v1';
import { JobRequest } from './job-request.schema';

/** The JSON Schemas published in `schemas/`, generated from the zod schemas. */
export function eventJsonSchemas(): Record<string, unknown> {
  const gen = (s: z.ZodType, io: 'input' | 'output') =>
    z.toJSONSchema(s, { io, unrepresentable: 'any' });
  return {
    'events/result.v1.json': gen(ResultEventV1, 'output'),
    'events/audit.v1.json': gen(AuditEventV1, 'output'),
    'requests/job-request.v1.json': gen(JobRequest, 'input'),
  };
}
