import type { JobRequest, TaskInput } from '@gateway/contracts';
import { countTokens } from 'gpt-tokenizer';
import { inputOf } from './job-input';

/**
 * Tokens charged per image. Vendors bill images by size and detail; 765 is what one
 * 1024×1024 image costs at OpenAI's high detail, a middle-of-the-road figure for routing and
 * budget reservation. The provider's reported usage stays the billed truth.
 */
export const IMAGE_TOKENS = 765;
/** Role and separator tokens the chat format adds around each message. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** Instructions an adapter wraps around summarize/classify/extract/image prompts. */
export const PROMPT_OVERHEAD_TOKENS = 16;

/** Output caps used when the job gives none. */
export const DEFAULT_MAX_OUTPUT = {
  chat: 1024,
  summarize: 512,
  classifyBase: 16,
  classifyPerLabel: 8,
  extractBase: 256,
  extractPerProperty: 32,
  'image.classify': 64,
  'image.caption': 128,
  'image.ocr': 1024,
} as const;
const MAX_OUTPUT_CEILING = 32_768;

// Special-token strings in user text are ordinary text here, never control tokens.
const ENCODE_OPTIONS = { disallowedSpecial: new Set<string>() };

/** Tokens of a text in the o200k encoding (same count as `encode(text).length`). */
export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : countTokens(text, ENCODE_OPTIONS);
}

/** Counts `properties` entries in a JSON Schema, nested ones included (bounded depth). */
export function schemaPropertyCount(schema: unknown, depth = 0): number {
  if (depth > 32 || schema === null || typeof schema !== 'object') return 0;
  let n = 0;
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' && v && typeof v === 'object') n += Object.keys(v).length;
    n += schemaPropertyCount(v, depth + 1);
  }
  return n;
}

export interface TokenEstimate {
  readonly inputTokens: number;
  readonly maxOutputTokens: number;
}

export interface RequestTraits {
  readonly hasImages: boolean;
  readonly imageCount: number;
  readonly needsJson: boolean;
  readonly needsTools: boolean;
}

function chatInputTokens(input: TaskInput<'chat'>): number {
  let n = 0;
  for (const m of input.messages) {
    n += MESSAGE_OVERHEAD_TOKENS;
    if (typeof m.content === 'string') n += countTextTokens(m.content);
    else for (const p of m.content) n += p.type === 'text' ? countTextTokens(p.text) : IMAGE_TOKENS;
    for (const t of m.toolCalls ?? []) n += countTextTokens(t.name) + countTextTokens(t.arguments);
  }
  if (input.tools?.length) n += countTextTokens(JSON.stringify(input.tools));
  if (input.responseFormat?.type === 'json_schema') {
    n += countTextTokens(JSON.stringify(input.responseFormat.schema));
  }
  return n;
}

/** The output cap: the job's own (maxTokens, maxWords) or a per-task default. */
export function maxOutputTokensOf(request: JobRequest): number {
  switch (request.task) {
    case 'chat':
      return inputOf(request).maxTokens ?? DEFAULT_MAX_OUTPUT.chat;
    case 'summarize': {
      const { maxWords } = inputOf(request);
      // About 1.3 tokens per English word; 1.5 leaves room for punctuation and names.
      return maxWords !== undefined ? Math.ceil(maxWords * 1.5) + 16 : DEFAULT_MAX_OUTPUT.summarize;
    }
    case 'classify':
      return (
        DEFAULT_MAX_OUTPUT.classifyBase +
        DEFAULT_MAX_OUTPUT.classifyPerLabel * inputOf(request).labels.length
      );
    case 'extract':
      return Math.min(
        MAX_OUTPUT_CEILING,
        DEFAULT_MAX_OUTPUT.extractBase +
          DEFAULT_MAX_OUTPUT.extractPerProperty * schemaPropertyCount(inputOf(request).schema),
      );
    case 'embed':
      return 0;
    case 'image.classify':
    case 'image.caption':
    case 'image.ocr':
      return DEFAULT_MAX_OUTPUT[request.task];
  }
}

/** Input tokens and output cap of a job, counted once at ingest, outside the decision. */
export function estimateTokens(request: JobRequest): TokenEstimate {
  let inputTokens: number;
  switch (request.task) {
    case 'chat':
      inputTokens = chatInputTokens(inputOf(request));
      break;
    case 'summarize':
      inputTokens = PROMPT_OVERHEAD_TOKENS + countTextTokens(inputOf(request).text);
      break;
    case 'classify': {
      const { text, labels } = inputOf(request);
      inputTokens =
        PROMPT_OVERHEAD_TOKENS + countTextTokens(text) + countTextTokens(labels.join('\n'));
      break;
    }
    case 'extract': {
      const { text, schema } = inputOf(request);
      inputTokens =
        PROMPT_OVERHEAD_TOKENS + countTextTokens(text) + countTextTokens(JSON.stringify(schema));
      break;
    }
    case 'embed': {
      const items = inputOf(request).input;
      inputTokens = (typeof items === 'string' ? [items] : items).reduce(
        (n, s) => n + countTextTokens(s),
        0,
      );
      break;
    }
    case 'image.classify': {
      const labels = inputOf(request).labels ?? [];
      inputTokens = PROMPT_OVERHEAD_TOKENS + IMAGE_TOKENS + countTextTokens(labels.join('\n'));
      break;
    }
    case 'image.caption':
    case 'image.ocr':
      inputTokens = PROMPT_OVERHEAD_TOKENS + IMAGE_TOKENS;
      break;
  }
  return { inputTokens, maxOutputTokens: maxOutputTokensOf(request) };
}

/** What a job needs from a deployment beyond its task. */
export function requestTraits(request: JobRequest): RequestTraits {
  switch (request.task) {
    case 'chat': {
      const input = inputOf(request);
      let imageCount = 0;
      for (const m of input.messages) {
        if (typeof m.content !== 'string') {
          for (const p of m.content) if (p.type === 'image') imageCount++;
        }
      }
      const fmt = input.responseFormat?.type;
      return {
        hasImages: imageCount > 0,
        imageCount,
        needsJson: fmt === 'json_object' || fmt === 'json_schema',
        needsTools: (input.tools?.length ?? 0) > 0,
      };
    }
    case 'image.classify':
    case 'image.caption':
    case 'image.ocr':
      return { hasImages: true, imageCount: 1, needsJson: false, needsTools: false };
    case 'summarize':
    case 'classify':
    case 'extract':
    case 'embed':
      return { hasImages: false, imageCount: 0, needsJson: false, needsTools: false };
  }
}
