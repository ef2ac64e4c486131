import type { ChatMessage, ContentPart, TaskInput } from '@gateway/contracts';
import { ProviderError } from '../provider-error';
import { formatToolName, messageText } from '../http/chat-tasks';

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

function message(m: ChatMessage, label: string) {
  if (m.role === 'tool') {
    return {
      role: 'user',
      content: [
        { toolResult: { toolUseId: m.toolCallId ?? '', content: [{ text: messageText(m) }] } },
      ],
    };
  }
  const content =
    typeof m.content === 'string' ? [{ text: m.content }] : m.content.map((p) => block(p, label));
  return { role: m.role, content };
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
    messages: input.messages.filter((m) => m.role !== 'system').map((m) => message(m, label)),
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
