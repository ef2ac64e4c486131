import type { ChatMessage, ContentPart, TaskInput } from '@gateway/contracts';
import { ProviderError } from '../provider-error';
import { formatToolName, groupToolResults, messageText, toolArguments } from '../http/chat-tasks';

type ChatInput = TaskInput<'chat'>;

function block(p: ContentPart, label: string) {
  if (p.type === 'text') return { text: p.text };
  if ('url' in p.image) {
    throw new ProviderError(
      'invalid_request',
      `${label}: Bedrock takes images inline; send base64, not a URL`,
      {
        retryable: false,
      },
    );
  }
  return {
    image: { format: p.image.mediaType.replace('image/', ''), source: { bytes: p.image.base64 } },
  };
}

/**
 * One turn. Tool results answering one assistant turn go back together as `toolResult` blocks
 * of one user message; an assistant turn's tool calls become `toolUse` blocks after its text
 * (Converse refuses an empty text block, so none is sent).
 */
function message(m: ChatMessage | ChatMessage[], label: string) {
  if (Array.isArray(m)) {
    return {
      role: 'user',
      content: m.map((r) => ({
        toolResult: { toolUseId: r.toolCallId ?? '', content: [{ text: messageText(r) }] },
      })),
    };
  }
  const content =
    typeof m.content !== 'string'
      ? m.content.map((p) => block(p, label))
      : m.content || !m.toolCalls
        ? [{ text: m.content }]
        : [];
  const calls = (m.toolCalls ?? []).map((t) => ({
    toolUse: { toolUseId: t.id, name: t.name, input: toolArguments(label, t) },
  }));
  return { role: m.role, content: [...content, ...calls] };
}

/** The Converse (and ConverseStream) body. Structured output rides on a forced tool. */
export function converseBody(
  input: ChatInput,
  maxTokens: number,
  label: string,
): Record<string, unknown> {
  const system = input.messages
    .filter((m) => m.role === 'system')
    .map((m) => ({ text: messageText(m) }));
  if (input.responseFormat?.type === 'json_object') {
    system.push({ text: 'Respond with a single JSON object and nothing else.' });
  }
  const body: Record<string, unknown> = {
    messages: groupToolResults(input.messages.filter((m) => m.role !== 'system')).map((m) =>
      message(m, label),
    ),
    inferenceConfig: {
      maxTokens: input.maxTokens ?? maxTokens,
      ...(input.temperature !== undefined ? { temperature: Math.min(input.temperature, 1) } : {}),
    },
  };
  if (system.length) body.system = system;
  const tools = (input.tools ?? []).map((t) => ({
    toolSpec: {
      name: t.name,
      ...(t.description ? { description: t.description } : {}),
      inputSchema: { json: t.parameters ?? { type: 'object', properties: {} } },
    },
  }));
  const format = formatToolName(input);
  if (format && input.responseFormat?.type === 'json_schema') {
    tools.push({
      toolSpec: {
        name: format,
        description: 'Give your answer by calling this tool with arguments matching its schema.',
        inputSchema: { json: input.responseFormat.schema },
      },
    });
  }
  if (tools.length) {
    body.toolConfig = { tools, ...(format ? { toolChoice: { tool: { name: format } } } : {}) };
  }
  return body;
}
