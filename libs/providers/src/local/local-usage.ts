import type { TaskInput, TaskName, TaskOutput, Usage } from '@gateway/contracts';
import { decode, encode } from 'gpt-tokenizer';

/**
 * Token estimates for the local provider, with the o200k tokenizer that gpt-tokenizer uses
 * by default: close to what a vendor would bill for the same text, so budgets and tpm
 * limits behave the same whichever deployment serves a job. Cost stays 0 (local has no price).
 */
export function countTokens(text: string): number {
  return text ? encode(text).length : 0;
}

/** Per-image input estimate: what vendors bill for a low-detail image. */
export const IMAGE_TOKENS = 85;
/** Per-message framing vendors add around each chat turn. */
const MESSAGE_OVERHEAD = 3;

/** The text cut to at most `maxTokens` tokens, and whether it was cut. */
export function truncateToTokens(text: string, maxTokens: number): { text: string; cut: boolean } {
  const tokens = encode(text);
  if (tokens.length <= maxTokens) return { text, cut: false };
  return { text: decode(tokens.slice(0, maxTokens)), cut: true };
}

function chatInputTokens(input: TaskInput<'chat'>): number {
  let n = 0;
  for (const m of input.messages) {
    n += MESSAGE_OVERHEAD;
    if (typeof m.content === 'string') n += countTokens(m.content);
    else for (const p of m.content) n += p.type === 'text' ? countTokens(p.text) : IMAGE_TOKENS;
  }
  return n;
}

function inputTokens(task: TaskName, input: unknown): number {
  switch (task) {
    case 'chat':
      return chatInputTokens(input as TaskInput<'chat'>);
    case 'summarize':
      return countTokens((input as TaskInput<'summarize'>).text);
    case 'classify': {
      const i = input as TaskInput<'classify'>;
      return countTokens(i.text) + countTokens(i.labels.join('\n'));
    }
    case 'extract': {
      const i = input as TaskInput<'extract'>;
      return countTokens(i.text) + countTokens(JSON.stringify(i.schema));
    }
    case 'embed': {
      const i = (input as TaskInput<'embed'>).input;
      return typeof i === 'string' ? countTokens(i) : i.reduce((a, t) => a + countTokens(t), 0);
    }
    case 'image.classify':
      return (
        IMAGE_TOKENS + countTokens((input as TaskInput<'image.classify'>).labels?.join('\n') ?? '')
      );
    case 'image.caption':
    case 'image.ocr':
      return IMAGE_TOKENS;
  }
}

function outputText(task: TaskName, output: unknown): string {
  switch (task) {
    case 'chat':
      return (output as TaskOutput<'chat'>).message.content;
    case 'summarize':
      return (output as TaskOutput<'summarize'>).summary;
    case 'classify':
      return (output as TaskOutput<'classify'>).label;
    case 'extract':
      return JSON.stringify((output as TaskOutput<'extract'>).data);
    case 'embed':
      return '';
    case 'image.classify':
      return (output as TaskOutput<'image.classify'>).labels.map((l) => l.label).join('\n');
    case 'image.caption':
      return (output as TaskOutput<'image.caption'>).caption;
    case 'image.ocr':
      return (output as TaskOutput<'image.ocr'>).text;
  }
}

/** Usage of one call: tokens in the input (images at a flat estimate) and in the output. */
export function estimateUsage<T extends TaskName>(
  task: T,
  input: TaskInput<T>,
  output: TaskOutput<T>,
): Usage {
  return {
    inputTokens: inputTokens(task, input),
    outputTokens: countTokens(outputText(task, output)),
  };
}
