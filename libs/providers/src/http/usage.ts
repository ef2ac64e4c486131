import type { Usage } from '@gateway/contracts';

/** A rough token count (4 characters a token) for vendors that report none, e.g. Gemini embeddings. */
export function estimateTokens(texts: string | readonly string[]): number {
  const list = typeof texts === 'string' ? [texts] : texts;
  return list.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
}

/** Usage with both counts always present. */
export function usageOf(
  input: number | null | undefined,
  output: number | null | undefined,
): Usage {
  return { inputTokens: input ?? 0, outputTokens: output ?? 0 };
}
