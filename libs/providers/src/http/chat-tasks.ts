import type {
  ChatMessage,
  TaskInput,
  TaskName,
  TaskOutput,
  ToolCallInput,
} from '@gateway/contracts';
import type { CallContext, CallResult } from '../provider-adapter';
import { ProviderError } from '../provider-error';

type ChatInput = TaskInput<'chat'>;
type ChatResult = CallResult<'chat'>;

/** What a chat-model adapter implements; every other LLM and vision task is built on it. */
export interface ChatBackend {
  readonly label: string;
  chat(input: ChatInput, ctx: CallContext): Promise<ChatResult>;
  embed?(input: TaskInput<'embed'>, ctx: CallContext): Promise<CallResult<'embed'>>;
}

/**
 * The name of the forced tool that carries a `json_schema` answer on vendors without a
 * response-format switch (Anthropic, Bedrock): the schema's name, made a valid tool name.
 */
export function formatToolName(input: ChatInput): string | undefined {
  const f = input.responseFormat;
  if (f?.type !== 'json_schema') return undefined;
  return (f.name ?? 'output').replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'output';
}

/** A task expressed as one chat call, and how to read its answer back. */
interface ChatPlan<T extends TaskName> {
  chat: ChatInput;
  finish(content: string): TaskOutput<T>;
}

const CLASSIFY_SCHEMA = (labels: readonly string[]) => ({
  type: 'object',
  properties: {
    label: { type: 'string', enum: labels },
    scores: {
      type: 'array',
      description: 'A confidence between 0 and 1 for every label.',
      items: {
        type: 'object',
        properties: { label: { type: 'string', enum: labels }, score: { type: 'number' } },
        required: ['label', 'score'],
        additionalProperties: false,
      },
    },
  },
  required: ['label', 'scores'],
  additionalProperties: false,
});

const IMAGE_LABELS_SCHEMA = {
  type: 'object',
  properties: {
    labels: {
      type: 'array',
      items: {
        type: 'object',
        properties: { label: { type: 'string' }, score: { type: 'number' } },
        required: ['label', 'score'],
        additionalProperties: false,
      },
    },
  },
  required: ['labels'],
  additionalProperties: false,
};

/** Reads a model's JSON answer, tolerating a Markdown code fence around it. */
export function parseModelJson(label: string, content: string): Record<string, unknown> {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(content);
  try {
    const v: unknown = JSON.parse(fenced ? fenced[1] : content);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ProviderError('server_error', `${label}: the model did not answer with a JSON object`);
}

function scoresOf(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (Array.isArray(value)) {
    for (const s of value as { label?: unknown; score?: unknown }[]) {
      if (typeof s?.label === 'string' && typeof s.score === 'number') out[s.label] = s.score;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'number') out[k] = v;
  }
  return out;
}

/** The label as the caller spelled it, when the model changed its case. */
function canonical(label: string, labels: readonly string[]): string {
  return (
    labels.find((l) => l === label) ??
    labels.find((l) => l.toLowerCase() === label.toLowerCase()) ??
    label
  );
}

function userMessage(parts: ChatMessage['content']): ChatMessage {
  return { role: 'user', content: parts };
}

function plan<T extends TaskName>(label: string, task: T, input: TaskInput<T>): ChatPlan<T> {
  const json = (content: string) => parseModelJson(label, content);
  switch (task) {
    case 'summarize': {
      const i = input as TaskInput<'summarize'>;
      const limit = i.maxWords ? ` in at most ${i.maxWords} words` : '';
      return {
        chat: {
          messages: [
            { role: 'system', content: 'You summarize text faithfully and concisely.' },
            userMessage(
              `Summarize the following text${limit}. Reply with the summary only.\n\n${i.text}`,
            ),
          ],
        },
        finish: (c) => ({ summary: c.trim() }) as TaskOutput<T>,
      };
    }
    case 'classify': {
      const i = input as TaskInput<'classify'>;
      return {
        chat: {
          messages: [
            { role: 'system', content: 'You are a precise text classifier.' },
            userMessage(
              `Classify the text into exactly one of these labels: ${JSON.stringify(i.labels)}. ` +
                `Give a score between 0 and 1 for every label.\n\nText:\n${i.text}`,
            ),
          ],
          temperature: 0,
          responseFormat: {
            type: 'json_schema',
            name: 'classification',
            schema: CLASSIFY_SCHEMA(i.labels),
          },
        },
        finish: (c) => {
          const v = json(c);
          const label = canonical(typeof v.label === 'string' ? v.label : '', i.labels);
          const scores = scoresOf(v.scores);
          if (Object.keys(scores).length === 0)
            for (const l of i.labels) scores[l] = l === label ? 1 : 0;
          return { label, scores } as TaskOutput<T>;
        },
      };
    }
    case 'extract': {
      const i = input as TaskInput<'extract'>;
      return {
        chat: {
          messages: [
            {
              role: 'system',
              content: 'You extract structured data from text. Use null for missing values.',
            },
            userMessage(
              `Extract the data described by the JSON schema from this text.\n\nText:\n${i.text}`,
            ),
          ],
          temperature: 0,
          responseFormat: { type: 'json_schema', name: 'extraction', schema: i.schema },
        },
        finish: (c) => ({ data: json(c) }) as TaskOutput<T>,
      };
    }
    case 'image.caption': {
      const i = input as TaskInput<'image.caption'>;
      return {
        chat: {
          messages: [
            userMessage([
              { type: 'image', image: i.image },
              {
                type: 'text',
                text: 'Describe this image in one sentence. Reply with the caption only.',
              },
            ]),
          ],
        },
        finish: (c) => ({ caption: c.trim() }) as TaskOutput<T>,
      };
    }
    case 'image.ocr': {
      const i = input as TaskInput<'image.ocr'>;
      const ask =
        'Transcribe all text visible in this image exactly, keeping line breaks. ' +
        'Reply with the text only, or with nothing when there is no text.';
      return {
        chat: {
          messages: [
            userMessage([
              { type: 'image', image: i.image },
              { type: 'text', text: ask },
            ]),
          ],
          temperature: 0,
        },
        finish: (c) => ({ text: c.trim() }) as TaskOutput<T>,
      };
    }
    case 'image.classify': {
      const i = input as TaskInput<'image.classify'>;
      const labels = i.labels;
      const ask = labels
        ? `Classify this image. Give a score between 0 and 1 for each of these labels: ${JSON.stringify(labels)}.`
        : 'List the main things this image shows as labels, each with a confidence between 0 and 1.';
      const schema = labels ? CLASSIFY_SCHEMA(labels) : IMAGE_LABELS_SCHEMA;
      return {
        chat: {
          messages: [
            userMessage([
              { type: 'image', image: i.image },
              { type: 'text', text: ask },
            ]),
          ],
          temperature: 0,
          responseFormat: { type: 'json_schema', name: 'image_labels', schema },
        },
        finish: (c) => {
          const v = json(c);
          const scores = scoresOf(labels ? v.scores : v.labels);
          if (labels && typeof v.label === 'string') {
            const top = canonical(v.label, labels);
            scores[top] ??= 1;
          }
          const list = Object.entries(scores)
            .map(([label, score]) => ({ label: labels ? canonical(label, labels) : label, score }))
            .sort((a, b) => b.score - a.score);
          return { labels: list } as TaskOutput<T>;
        },
      };
    }
    case 'chat':
    case 'embed':
      throw new ProviderError('invalid_request', `${label}: task "${task}" is not built on chat`, {
        retryable: false,
      });
  }
}

/** The text parts of a message, joined (for system prompts and tool results). */
export function messageText(m: ChatMessage): string {
  return typeof m.content === 'string'
    ? m.content
    : m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/**
 * A history tool call's arguments as an object, for vendors that take them parsed (Anthropic,
 * Gemini, Bedrock). Arguments that are not a JSON object cannot be sent there: a clear 400.
 */
export function toolArguments(label: string, call: ToolCallInput): Record<string, unknown> {
  if (call.arguments.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(call.arguments);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ProviderError(
    'invalid_request',
    `${label}: the arguments of tool call "${call.id}" are not a JSON object`,
    { retryable: false },
  );
}

/**
 * Splits messages into turns where each run of consecutive `tool` messages is one group: the
 * answers to one turn's parallel tool calls, which these vendors take as a single message.
 */
export function groupToolResults(
  messages: readonly ChatMessage[],
): (ChatMessage | ChatMessage[])[] {
  const out: (ChatMessage | ChatMessage[])[] = [];
  for (const m of messages) {
    const last = out.at(-1);
    if (m.role !== 'tool') out.push(m);
    else if (Array.isArray(last)) last.push(m);
    else out.push([m]);
  }
  return out;
}

/** Number of images in a chat input, for per-image prices. */
export function countImages(messages: readonly ChatMessage[]): number {
  let n = 0;
  for (const m of messages)
    if (Array.isArray(m.content)) for (const p of m.content) if (p.type === 'image') n++;
  return n;
}

/**
 * Runs any task on a chat backend: chat and embed directly, the others as one chat call
 * whose answer is read back into the task's output shape.
 */
export async function runTask<T extends TaskName>(
  backend: ChatBackend,
  task: T,
  input: TaskInput<T>,
  ctx: CallContext,
): Promise<CallResult<T>> {
  if (task === 'chat') return (await backend.chat(input as ChatInput, ctx)) as CallResult<T>;
  if (task === 'embed') {
    if (!backend.embed) {
      throw new ProviderError(
        'invalid_request',
        `${backend.label}: this provider does not serve embed`,
        {
          retryable: false,
        },
      );
    }
    return (await backend.embed(input as TaskInput<'embed'>, ctx)) as CallResult<T>;
  }
  const p = plan(backend.label, task, input);
  const result = await backend.chat(p.chat, ctx);
  const { content } = result.output.message;
  if (result.output.finishReason === 'content_filter') {
    throw new ProviderError(
      'content_filtered',
      `${backend.label}: the answer was withheld by a content filter`,
      {
        retryable: false,
      },
    );
  }
  return { ...result, output: p.finish(content) };
}
