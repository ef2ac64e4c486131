import type { ChatMessage, ContentPart, TaskInput } from '@gateway/contracts';
import { ProviderError } from '../provider-error';
import { messageText } from '../http/chat-tasks';

type ChatInput = TaskInput<'chat'>;

function part(p: ContentPart, label: string) {
  if (p.type === 'text') return { text: p.text };
  if ('url' in p.image) {
    throw new ProviderError(
      'invalid_request',
      `${label}: Gemini takes images inline; send base64, not a URL`,
      {
        retryable: false,
      },
    );
  }
  return { inline_data: { mime_type: p.image.mediaType, data: p.image.base64 } };
}

function content(m: ChatMessage, label: string) {
  if (m.role === 'tool') {
    return {
      role: 'user',
      parts: [
        {
          functionResponse: {
            name: m.name ?? m.toolCallId ?? 'tool',
            response: { content: messageText(m) },
          },
        },
      ],
    };
  }
  const parts =
    typeof m.content === 'string' ? [{ text: m.content }] : m.content.map((p) => part(p, label));
  return { role: m.role === 'assistant' ? 'model' : 'user', parts };
}

/** The `generateContent` body for a chat input. */
export function generateContentBody(input: ChatInput, label: string): Record<string, unknown> {
  const system = input.messages.filter((m) => m.role === 'system').map(messageText);
  const body: Record<string, unknown> = {
    contents: input.messages.filter((m) => m.role !== 'system').map((m) => content(m, label)),
  };
  if (system.length) body.systemInstruction = { parts: [{ text: system.join('\n\n') }] };
  const config: Record<string, unknown> = {};
  if (input.maxTokens !== undefined) config.maxOutputTokens = input.maxTokens;
  if (input.temperature !== undefined) config.temperature = input.temperature;
  const f = input.responseFormat;
  if (f?.type === 'json_object' || f?.type === 'json_schema')
    config.responseMimeType = 'application/json';
  if (f?.type === 'json_schema') config.responseJsonSchema = f.schema;
  if (Object.keys(config).length) body.generationConfig = config;
  if (input.tools?.length) {
    body.tools = [
      {
        functionDeclarations: input.tools.map((t) => ({
          name: t.name,
          ...(t.description ? { description: t.description } : {}),
          ...(t.parameters ? { parametersJsonSchema: t.parameters } : {}),
        })),
      },
    ];
  }
  return body;
}
