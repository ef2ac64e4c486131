import { z } from 'zod';
import { GoogleStatus } from '../gemini/gemini.schemas';

/** Partial Cloud Vision `images:annotate` response: only the fields the adapter reads. */
export const AnnotateResponse = z.object({
  responses: z.array(
    z.object({
      labelAnnotations: z
        .array(z.object({ description: z.string(), score: z.number().optional() }))
        .optional(),
      textAnnotations: z.array(z.object({ description: z.string() })).optional(),
      fullTextAnnotation: z.object({ text: z.string() }).optional(),
      error: GoogleStatus.optional(),
    }),
  ),
});
export type AnnotateResponse = z.infer<typeof AnnotateResponse>;
