import { z } from 'zod';

/** CloudEvents 1.0 structured-mode envelope. */
export const CloudEvent = <T extends z.ZodType>(data: T) =>
  z.object({
    specversion: z.literal('1.0'),
    id: z.string().min(1),
    source: z.string().min(1),
    type: z.string().min(1),
    subject: z.string().optional(),
    time: z.string(),
    datacontenttype: z.literal('application/json'),
    dataschema: z.string().optional(),
    traceparent: z.string().optional(),
    data,
  });
