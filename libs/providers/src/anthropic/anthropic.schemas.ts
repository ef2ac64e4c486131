import { z } from 'zod';

/** Partial Anthropic Messages API schemas: only the fields the adapter reads. */

export const AnthropicUsage = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});
export type AnthropicUsage = z.infer<typeof AnthropicUsage>;

const ContentBlock = z.union([
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() }),
  z.object({ type: z.string() }),
]);

export const AnthropicMessage = z.object({
  model: z.string().optional(),
  content: z.array(ContentBlock),
  stop_reason: z.string().nullish(),
  usage: AnthropicUsage,
});
export type AnthropicMessage = z.infer<typeof AnthropicMessage>;

/** The data of one named stream event; `type` equals the event name. */
export const AnthropicStreamEvent = z.object({
  type: z.string(),
  message: z.object({ model: z.string().optional(), usage: AnthropicUsage.optional() }).optional(),
  index: z.number().optional(),
  content_block: z.object({ type: z.string(), name: z.string().optional() }).optional(),
  delta: z
    .object({
      type: z.string().optional(),
      text: z.string().optional(),
      partial_json: z.string().optional(),
      stop_reason: z.string().nullish(),
    })
    .optional(),
  usage: AnthropicUsage.optional(),
  error: z.object({ type: z.string(), message: z.string().optional() }).optional(),
});

export const AnthropicErrorBody = z.object({
  error: z.object({
    type: z.string(),
    message: z.string().optional(),
    /** Tells a spent monthly cap (`enforced_spend_limit_reached`) from a rate limit. */
    details: z.object({ error_code: z.string().optional() }).nullish(),
  }),
});
