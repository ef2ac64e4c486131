import type { JobRecord, TaskOutput } from '@gateway/contracts';
import type { z } from 'zod';
import { OpenAiHttpError } from './openai-error';
import { ChatCompletionRequest, EmbeddingsRequest } from './chat.schema';

/** Parses an OpenAI body with one of the façade's schemas; a bad body is a 400 naming the field. */
export function parseOpenAi<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const param = first.path.join('.');
  const message = r.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
    .join('; ');
  throw new OpenAiHttpError(
    400,
    'invalid_request_error',
    'invalid_request',
    message,
    param || null,
  );
}

/** `data:<mediaType>;base64,<data>` becomes an inline image; anything else a URL. */
function imageOf(url: string): Record<string, unknown> {
  const m = /^data:([\w/+.-]+);base64,(.*)$/s.exec(url);
  return m ? { base64: m[2], mediaType: m[1] } : { url };
}

type OpenAiMessage = ChatCompletionRequest['messages'][number];

function messageOf(m: OpenAiMessage): Record<string, unknown> {
  const role = m.role === 'developer' ? 'system' : m.role;
  const content =
    typeof m.content === 'string'
      ? m.content
      : Array.isArray(m.content)
        ? m.content.map((p) =>
            p.type === 'text'
              ? { type: 'text', text: p.text }
              : { type: 'image', image: imageOf(p.image_url.url) },
          )
        : // An assistant turn that only called tools has no content.
          '';
  return {
    role,
    content,
    ...(m.name ? { name: m.name } : {}),
    ...(m.tool_call_id ? { toolCallId: m.tool_call_id } : {}),
    ...(m.tool_calls?.length
      ? {
          toolCalls: m.tool_calls.map((t) => ({
            id: t.id,
            name: t.function.name,
            arguments: t.function.arguments,
          })),
        }
      : {}),
  };
}

/** An OpenAI chat completion request as a gateway `chat` job request. */
export function chatJobRequest(
  req: ChatCompletionRequest,
  opts: { stream: boolean; priority?: 'low' | 'normal'; metadata?: Record<string, string> },
): Record<string, unknown> {
  const maxTokens = req.max_completion_tokens ?? req.max_tokens ?? undefined;
  const rf = req.response_format;
  return {
    task: 'chat',
    model: req.model,
    input: {
      messages: req.messages.map(messageOf),
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(req.temperature !== undefined && req.temperature !== null
        ? { temperature: req.temperature }
        : {}),
      ...(rf
        ? {
            responseFormat:
              rf.type === 'json_schema'
                ? {
                    type: 'json_schema',
                    name: rf.json_schema.name,
                    schema: rf.json_schema.schema ?? {},
                  }
                : { type: rf.type },
          }
        : {}),
      ...(req.tools
        ? {
            tools: req.tools.map((t) => ({
              name: t.function.name,
              ...(t.function.description ? { description: t.function.description } : {}),
              ...(t.function.parameters ? { parameters: t.function.parameters } : {}),
            })),
          }
        : {}),
      ...(opts.stream ? { stream: true } : {}),
    },
    ...(opts.priority ? { priority: opts.priority } : {}),
    ...(opts.metadata || req.metadata ? { metadata: { ...req.metadata, ...opts.metadata } } : {}),
  };
}

export function embedJobRequest(
  req: EmbeddingsRequest,
  opts: { priority?: 'low' | 'normal'; metadata?: Record<string, string> } = {},
): Record<string, unknown> {
  if (Array.isArray(req.input) && req.input.some((x) => typeof x !== 'string')) {
    throw new OpenAiHttpError(
      400,
      'invalid_request_error',
      'invalid_request',
      'input must be a string or an array of strings; token arrays are not supported',
      'input',
    );
  }
  return {
    task: 'embed',
    model: req.model,
    input: { input: req.input, ...(req.dimensions ? { dimensions: req.dimensions } : {}) },
    ...(opts.priority ? { priority: opts.priority } : {}),
    ...(opts.metadata ? { metadata: opts.metadata } : {}),
  };
}

export function usageOf(record: JobRecord) {
  const p = record.usage?.inputTokens ?? 0;
  const c = record.usage?.outputTokens ?? 0;
  return { prompt_tokens: p, completion_tokens: c, total_tokens: p + c };
}

const created = (r: JobRecord) => Math.floor(Date.parse(r.createdAt) / 1000);

/** A succeeded chat job as a `chat.completion`. */
export function chatCompletionOf(record: JobRecord) {
  const out = record.output as TaskOutput<'chat'>;
  const toolCalls = out.message.toolCalls?.map((t) => ({
    id: t.id,
    type: 'function' as const,
    function: { name: t.name, arguments: t.arguments },
  }));
  return {
    id: `chatcmpl-${record.id}`,
    object: 'chat.completion' as const,
    created: created(record),
    model: record.route.deployment,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: toolCalls?.length && !out.message.content ? null : out.message.content,
          refusal: null,
          ...(toolCalls?.length ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReasonOf(out.finishReason),
      },
    ],
    usage: usageOf(record),
  };
}

/** The gateway's `error` finish (a provider cut the answer) has no OpenAI twin: `stop` is closest. */
export function finishReasonOf(f: string): string {
  return f === 'error' ? 'stop' : f;
}

/** A succeeded embed job as OpenAI's embeddings list; base64 is packed little-endian float32. */
export function embeddingsListOf(record: JobRecord, encoding: 'float' | 'base64') {
  const out = record.output as TaskOutput<'embed'>;
  return {
    object: 'list' as const,
    data: out.embeddings.map((v, index) => ({
      object: 'embedding' as const,
      index,
      embedding: encoding === 'base64' ? packFloat32(v) : v,
    })),
    model: record.route.deployment,
    usage: {
      prompt_tokens: record.usage?.inputTokens ?? 0,
      total_tokens: record.usage?.inputTokens ?? 0,
    },
  };
}

export function packFloat32(v: readonly number[]): string {
  const buf = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i], i * 4);
  return buf.toString('base64');
}
