import type { ChatMessage, ImageInput, TaskInput } from '@gateway/contracts';
import { messageText } from '../http/chat-tasks';

type ChatInput = TaskInput<'chat'>;

/** Knobs where OpenAI-shaped APIs differ. */
export interface OpenAiBodyOptions {
  /** The model named in the body (Azure names it in the URL instead). */
  readonly model: string | undefined;
  readonly maxTokensField: 'max_tokens' | 'max_completion_tokens';
}

export function imageUrl(image: ImageInput): string {
  return 'url' in image ? image.url : `data:${image.mediaType};base64,${image.base64}`;
}

function content(m: ChatMessage) {
  if (typeof m.content === 'string') return m.content;
  return m.content.map((p) =>
    p.type === 'text'
      ? { type: 'text', text: p.text }
      : { type: 'image_url', image_url: { url: imageUrl(p.image) } },
  );
}

function message(m: ChatMessage) {
  if (m.role === 'tool') {
    return { role: 'tool', tool_call_id: m.toolCallId ?? m.name ?? '', content: messageText(m) };
  }
  const body = content(m);
  return {
    role: m.role,
    // An assistant turn that only called tools has `content: null`, as OpenAI answers it.
    content: m.toolCalls && body === '' ? null : body,
    ...(m.name ? { name: m.name } : {}),
    ...(m.toolCalls
      ? {
          tool_calls: m.toolCalls.map((t) => ({
            id: t.id,
            type: 'function',
            function: { name: t.name, arguments: t.arguments },
          })),
        }
      : {}),
  };
}

function responseFormat(f: ChatInput['responseFormat']) {
  if (!f || f.type === 'text') return undefined;
  if (f.type === 'json_object') return { type: 'json_object' };
  return { type: 'json_schema', json_schema: { name: f.name ?? 'output', schema: f.schema } };
}

/** The `/chat/completions` body for a chat input. */
export function chatBody(
  input: ChatInput,
  opts: OpenAiBodyOptions,
  stream: boolean,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...(opts.model ? { model: opts.model } : {}),
    messages: input.messages.map(message),
  };
  if (input.maxTokens !== undefined) body[opts.maxTokensField] = input.maxTokens;
  if (input.temperature !== undefined) body.temperature = input.temperature;
  const format = responseFormat(input.responseFormat);
  if (format) body.response_format = format;
  if (input.tools?.length) {
    body.tools = input.tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: t.parameters ?? { type: 'object', properties: {} },
      },
    }));
  }
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

/** Packed little-endian float32, as OpenAI's `encoding_format: "base64"` answers. */
export function decodeBase64Embedding(b64: string): number[] {
  const bytes = Buffer.from(b64, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number>(Math.floor(bytes.byteLength / 4));
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
