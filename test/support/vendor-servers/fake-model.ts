/**
 * The fake model behind every vendor test server: a fixed reply, fixed token counts, and
 * answers shaped by the JSON schema a request asks for, so adapters' normalisation can be
 * asserted exactly.
 */

import type { Json } from './vendor-server';

export const FAKE_REPLY = 'Paris is the capital of France.';
export const FAKE_USAGE = { inputTokens: 21, outputTokens: 7 } as const;

/** The reply cut into stream deltas: `["Paris", " is", " the", ...]`. */
export function replyPieces(text = FAKE_REPLY): string[] {
  return text.match(/\s*\S+/g) ?? [text];
}

/** A value matching a JSON schema: enums take their first member, numbers 0.9. */
export function sampleFromSchema(schema: unknown): unknown {
  const s = (schema ?? {}) as Json;
  if (Array.isArray(s.enum)) return s.enum[0];
  if ('const' in s) return s.const;
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type ?? (s.properties ? 'object' : s.items ? 'array' : 'string')) {
    case 'object':
      return Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([k, v]) => [k, sampleFromSchema(v)]),
      );
    case 'array':
      return [sampleFromSchema(s.items)];
    case 'number':
      return 0.9;
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return 'sample';
  }
}

/** A deterministic embedding whose values are exact in float32 (so base64 round-trips). */
export function fakeEmbedding(index: number, dimensions = 4): number[] {
  const base = [index + 1, 0.5, -0.25, 0.125];
  return Array.from({ length: dimensions }, (_, i) => base[i % base.length]);
}

/** The text of the last user message in an OpenAI/Anthropic-like message list. */
export function lastUserText(messages: { role?: string; content?: unknown }[] | undefined): string {
  const m = [...(messages ?? [])].reverse().find((x) => x.role === 'user');
  if (!m) return '';
  if (typeof m.content === 'string') return m.content;
  return (m.content as { text?: string }[]).map((p) => p.text ?? '').join('');
}
