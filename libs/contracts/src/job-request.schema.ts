import { z } from 'zod';
import { TASKS, TaskName } from './tasks.schema';

export const Priority = z.enum(['high', 'normal', 'low']);
export type Priority = z.infer<typeof Priority>;

export const RoutingStrategy = z.enum([
  'priority',
  'weighted',
  'least-latency',
  'least-cost',
  'least-busy',
  'cascade',
]);
export type RoutingStrategy = z.infer<typeof RoutingStrategy>;

const Metadata = z
  .record(z.string().max(64), z.union([z.string().max(512), z.number(), z.boolean()]))
  .refine((m) => Object.keys(m).length <= 32, { message: 'at most 32 metadata keys' });

const common = {
  model: z.string().min(1).max(128).optional(),
  routing: z
    .strictObject({
      strategy: RoutingStrategy.optional(),
      maxCostUsd: z.number().positive().optional(),
      deadline: z.iso.datetime().optional(),
    })
    .optional(),
  priority: Priority.optional(),
  webhook: z.strictObject({ url: z.url({ protocol: /^https?$/ }).max(2048) }).optional(),
  cache: z
    .strictObject({
      ttlSeconds: z
        .int()
        .min(1)
        .max(30 * 86400),
    })
    .optional(),
  metadata: Metadata.optional(),
  correlationId: z.string().min(1).max(256).optional(),
};

function requestFor<T extends TaskName>(task: T) {
  return z.strictObject({ task: z.literal(task), input: TASKS[task].input, ...common });
}

/** The body of `POST /v1/jobs` and the value of an `ai.requests.v1` message. */
export const JobRequest = z.discriminatedUnion('task', [
  requestFor('chat'),
  requestFor('summarize'),
  requestFor('classify'),
  requestFor('extract'),
  requestFor('embed'),
  requestFor('image.classify'),
  requestFor('image.caption'),
  requestFor('image.ocr'),
]);
export type JobRequest = z.infer<typeof JobRequest>;
