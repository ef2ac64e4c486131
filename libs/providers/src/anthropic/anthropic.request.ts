import type { ChatMessage, ContentPart, TaskInput } from '@gateway/contracts';
import { formatToolName, groupToolResults, messageText, toolArguments } from '../http/chat-tasks';

type ChatInput = TaskInput<'chat'>;

export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01';

function part(p: ContentPart) {
  if (p.type === 'text') return { type: 'text', text: p.text };
  const img = p.image;
  return {
    type: 'image',
    source:
      'url' in img
        ? { type: 'url', url: img.url }
        : { type: 'base64', media_type: img.mediaType, data: img.base64 },
  };
}

/**
 * One turn. Tool results answering one assistant turn go back together as `tool_result` blocks
 * of a single user message; an assistant turn's tool calls become `tool_use` blocks after its
 * text (an empty text block is refused, so none is sent).
 */
function message(m: ChatMessage | ChatMessage[], label: string) {
  if (Array.isArray(m)) {
    return {
      role: 'user',
      content: m.map((r) => ({
        type: 'tool_result',
        tool_use_id: r.toolCallId ?? '',
        content: messageText(r),
      })),
    };
  }
  if (!m.toolCalls) {
    return {
      role: m.role,
      content: typeof m.content === 'string' ? m.content : m.content.map(part),
    };
  }
  const text =
    typeof m.content !== 'string'
      ? m.content.map(part)
      : m.content
        ? [{ type: 'text', text: m.content }]
        : [];
  return {
    role: m.role,
    content: [
      ...text,
      ...m.toolCalls.map((t) => ({
        type: 'tool_use',
        id: t.id,
        name: t.name,
        input: toolArguments(label, t),
      })),
    ],
  };
}

/** The `/v1/messages` body. Structured output rides on a forced tool (Anthropic's own advice). */
export function messagesBody(
  input: ChatInput,
  model: string,
  maxTokens: number,
  stream: boolean,
  label: string,
) {
  const systemParts = input.messages.filter((m) => m.role === 'system').map(messageText);
  if (input.responseFormat?.type === 'json_object') {
    systemParts.push('Respond with a single JSON object and nothing else.');
  }
  const body: Record<string, unknown> = {
    model,
    max_tokens: input.maxTokens ?? maxTokens,
    messages: groupToolResults(input.messages.filter((m) => m.role !== 'system')).map((m) =>
      message(m, label),
    ),
  };
  if (systemParts.length) body.system = systemParts.join('\n\n');
  // Anthropic's temperature runs 0..1 where OpenAI's runs 0..2.
  if (input.temperature !== undefined) body.temperature = Math.min(input.temperature, 1);
  const tools: Record<string, unknown>[] = (input.tools ?? []).map((t) => ({
    name: t.name,
    ...(t.description ? { description: t.description } : {}),
    input_schema: t.parameters ?? { type: 'object', properties: {} },
  }));
  const format = formatToolName(input);
  if (format && input.responseFormat?.type === 'json_schema') {
    tools.push({
      name: format,
      description: 'Give your answer by calling this tool with arguments matching its schema.',
      input_schema: input.responseFormat.schema,
    });
    body.tool_choice = { type: 'tool', name: format };
  }
  if (tools.length) body.tools = tools;
  if (stream) body.stream = true;
  return body;
}
