import { z } from 'zod';

/** Partial Gemini API schemas: only the fields the adapter reads. */

const Part = z.object({
  text: z.string().optional(),
  thought: z.boolean().optional(),
  functionCall: z
    .object({ id: z.string().optional(), name: z.string(), args: z.unknown().optional() })
    .optional(),
});

export const GeminiResponse = z.object({
  candidates: z
    .array(
      z.object({
        content: z.object({ parts: z.array(Part).optional() }).optional(),
        finishReason: z.string().optional(),
      }),
    )
    .optional(),
  usageMetadata: z
    .object({
      promptTokenCount: z.number().optional(),
      candidatesTokenCount: z.number().optional(),
      thoughtsTokenCount: z.number().optional(),
    })
    .optional(),
  promptFeedback: z.object({ blockReason: z.string().optional() }).optional(),
  modelVersion: z.string().optional(),
});
export type GeminiResponse = z.infer<typeof GeminiResponse>;

const Values = z.object({ values: z.array(z.number()) });
export const GeminiEmbedResponse = z.object({ embedding: Values });
export const GeminiBatchEmbedResponse = z.object({ embeddings: z.array(Values) });

/** Google's API error (`google.rpc.Status` as JSON), shared with Cloud Vision. */
export const GoogleStatus = z.object({
  code: z.number().optional(),
  message: z.string().optional(),
  status: z.string().optional(),
  details: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type GoogleStatus = z.infer<typeof GoogleStatus>;
export const GoogleErrorBody = z.object({ error: GoogleStatus });
