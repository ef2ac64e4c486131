import { z } from 'zod';

const TextPart = z.object({ type: z.literal('text'), text: z.string() });
const ImagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({
    url: z.string().min(1),
    detail: z.enum(['auto', 'low', 'high']).optional(),
  }),
});
const ToolCallIn = z.object({
  id: z.string().min(1).max(128),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1).max(64), arguments: z.string() }),
});

const Message = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
    content: z
      .union([z.string(), z.array(z.union([TextPart, ImagePart])).min(1), z.null()])
      .optional(),
    name: z.string().max(64).optional(),
    tool_call_id: z.string().min(1).max(128).optional(),
    tool_calls: z.array(ToolCallIn).max(128).optional(),
    refusal: z.string().nullable().optional(),
  })
  .check((ctx) => {
    const m = ctx.value;
    if (m.role === 'tool' && !m.tool_call_id)
      ctx.issues.push({
        code: 'custom',
        input: m,
        path: ['tool_call_id'],
        message: 'a tool message needs the tool_call_id of the call it answers',
      });
    if (m.tool_calls?.length && m.role !== 'assistant')
      ctx.issues.push({
        code: 'custom',
        input: m,
        path: ['tool_calls'],
        message: 'only assistant messages carry tool_calls',
      });
  });

const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().max(64),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

const Tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string(),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

/**
 * `POST /v1/chat/completions` as OpenAI documents it. Sampling knobs the gateway's chat task
 * does not carry (top_p, seed, stop...) are accepted and not forwarded; anything unknown is
 * refused, like every gateway route.
 */
export const ChatCompletionRequest = z.strictObject({
  model: z.string().min(1).max(128),
  messages: z.array(Message).min(1).max(1024),
  max_tokens: z.int().min(1).nullable().optional(),
  max_completion_tokens: z.int().min(1).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  response_format: ResponseFormat.optional(),
  tools: z.array(Tool).max(128).optional(),
  tool_choice: z.unknown().optional(),
  parallel_tool_calls: z.boolean().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  n: z.literal(1).nullable().optional(),
  top_p: z.number().nullable().optional(),
  seed: z.int().nullable().optional(),
  stop: z
    .union([z.string(), z.array(z.string())])
    .nullable()
    .optional(),
  presence_penalty: z.number().nullable().optional(),
  frequency_penalty: z.number().nullable().optional(),
  logit_bias: z.record(z.string(), z.number()).nullable().optional(),
  user: z.string().optional(),
  store: z.boolean().nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  service_tier: z.string().nullable().optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

export const EmbeddingsRequest = z.strictObject({
  model: z.string().min(1).max(128),
  input: z.union([z.string(), z.array(z.string()), z.array(z.unknown())]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.int().min(1).optional(),
  user: z.string().optional(),
});
export type EmbeddingsRequest = z.infer<typeof EmbeddingsRequest>;
