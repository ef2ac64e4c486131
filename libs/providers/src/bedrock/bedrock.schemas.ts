import { z } from 'zod';

/** Partial Bedrock Converse schemas: only the fields the adapter reads. */

export const BedrockUsage = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadInputTokens: z.number().nullish(),
  cacheWriteInputTokens: z.number().nullish(),
});
export type BedrockUsage = z.infer<typeof BedrockUsage>;

const ContentBlock = z.object({
  text: z.string().optional(),
  toolUse: z.object({ toolUseId: z.string(), name: z.string(), input: z.unknown() }).optional(),
});

export const ConverseResponse = z.object({
  output: z.object({ message: z.object({ content: z.array(ContentBlock) }) }),
  stopReason: z.string().optional(),
  usage: BedrockUsage,
});

/** Payloads of ConverseStream events, keyed by `:event-type`. */
export const StreamContentBlockStart = z.object({
  contentBlockIndex: z.number().optional(),
  start: z.object({ toolUse: z.object({ name: z.string() }).optional() }).optional(),
});
export const StreamContentBlockDelta = z.object({
  contentBlockIndex: z.number().optional(),
  delta: z
    .object({ text: z.string().optional(), toolUse: z.object({ input: z.string() }).optional() })
    .optional(),
});
export const StreamMessageStop = z.object({ stopReason: z.string().optional() });
export const StreamMetadata = z.object({ usage: BedrockUsage.optional() });

export const BedrockErrorBody = z.object({
  message: z.string().optional(),
  Message: z.string().optional(),
  __type: z.string().optional(),
});
