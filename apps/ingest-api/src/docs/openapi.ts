import { ApiErrorBody, JobRecord, JobRequest } from '@gateway/contracts';
import { z } from 'zod';

const schema = (s: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' });

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** OpenAPI 3.1 of the job API, generated from the zod schemas in libs/contracts. */
export function buildOpenApi(): Record<string, unknown> {
  const job = { 'application/json': { schema: { $ref: '#/components/schemas/JobRecord' } } };
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  return {
    openapi: '3.1.0',
    info: { title: 'AI Gateway', version: '1.0.0', description: 'Asynchronous inference broker' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        JobRequest: schema(JobRequest, 'input'),
        JobRecord: schema(JobRecord, 'output'),
        Error: schema(ApiErrorBody, 'output'),
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/jobs': {
        post: {
          summary: 'Submit a job',
          parameters: [
            { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/JobRequest' } },
            },
          },
          responses: {
            '202': { description: 'Accepted: the job is durably queued', content: job },
            '200': {
              description: 'The same Idempotency-Key and body: the existing job',
              content: job,
            },
            '400': errorResponse('Invalid body'),
            '401': errorResponse('Missing or invalid API key'),
            '403': errorResponse('Missing scope'),
            '409': errorResponse('Idempotency-Key reused with a different body'),
            '413': errorResponse('Body over the limit'),
            '422': errorResponse('Policy refusal (e.g. residency_violation, no_route)'),
            '429': errorResponse('Rate limited; see Retry-After'),
            '503': errorResponse('Saturated; see Retry-After'),
          },
        },
        get: {
          summary: "List the caller's jobs, newest first",
          parameters: [
            {
              name: 'status',
              in: 'query',
              schema: {
                type: 'string',
                enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'],
              },
            },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'A page of jobs' } },
        },
      },
      '/v1/jobs/{id}': {
        get: {
          summary: 'Read a job; `wait` holds the request until it ends (long-poll)',
          parameters: [
            idParam,
            { name: 'wait', in: 'query', schema: { type: 'number', minimum: 0, maximum: 60 } },
          ],
          responses: {
            '200': { description: 'The job record', content: job },
            '404': errorResponse('No such job'),
          },
        },
        delete: {
          summary: 'Cancel a queued or running job',
          parameters: [idParam],
          responses: {
            '200': { description: 'Cancelled', content: job },
            '404': errorResponse('No such job'),
            '409': errorResponse('Already terminal'),
          },
        },
      },
    },
  };
}
