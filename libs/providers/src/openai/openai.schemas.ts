import { z } from 'zod';

/** Partial OpenAI response schemas: only the fields the adapter reads. */

const Usage = z.object({ prompt_tokens: z.number(), completion_tokens: z.number().optional() });

const ToolCall = z.object({
  id: z.string(),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

export const OpenAiChatResponse = z.object({
  model: z.string().optional(),
  choices: z.array(
    z.object({
      message: z.object({
        content: z.string().nullish(),
        refusal: z.string().nullish(),
        tool_calls: z.array(ToolCall).nullish(),
      }),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: Usage.nullish(),
});
export type OpenAiChatResponse = z.infer<typeof OpenAiChatResponse>;

export const OpenAiChatChunk = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: Usage.nullish(),
  error: z.unknown().optional(),
});

export const OpenAiEmbeddingResponse = z.object({
  model: z.string().optional(),
  data: z.array(
    z.object({
      index: z.number().optional(),
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  usage: z.object({ prompt_tokens: z.number() }).nullish(),
});

const ErrorFields = z.object({
  message: z.string().nullish(),
  type: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
  param: z.string().nullish(),
});
export type OpenAiErrorFields = z.infer<typeof ErrorFields>;

/** `{"error":{...}}`, and the flat `{"object":"error",...}` older vLLM versions answer. */
export const OpenAiErrorBody = z.union([
  z.object({ error: ErrorFields }),
  ErrorFields.transform((error) => ({ error })),
]);
