import type { ChatMessage, ContentPart, TaskInput } from '@gateway/contracts';
import { ProviderError } from '../provider-error';
import { groupToolResults, messageText, toolArguments } from '../http/chat-tasks';

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

/**
 * Gemini 3 checks the thought signature of every function call in the turn being continued.
 * Calls sent back from a client's history carry none (the gateway's answers do not include
 * them), so they take the placeholder Google documents for calls it did not sign itself.
 */
const UNSIGNED_CALL = 'skip_thought_signature_validator';

/** A tool's result: its JSON object as is, any other text wrapped. */
function toolResponse(m: ChatMessage): Record<string, unknown> {
  const text = messageText(m);
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // not JSON: wrapped below
  }
  return { content: text };
}

/**
 * One turn. Tool results answering one model turn go back together as `functionResponse` parts
 * of one user turn, each named after the call it answers (Gemini matches them by name); a model
 * turn's tool calls become `functionCall` parts after its text. Ids that Gemini gave its calls
 * go back with them; the adapter names id-less calls by their function name.
 */
function content(m: ChatMessage | ChatMessage[], label: string, names: Map<string, string>) {
  if (Array.isArray(m)) {
    return {
      role: 'user',
      parts: m.map((r) => {
        const id = r.toolCallId || undefined;
        const name = (id && names.get(id)) || r.name || id || 'tool';
        return {
          functionResponse: {
            ...(id && id !== name ? { id } : {}),
            name,
            response: toolResponse(r),
          },
        };
      }),
    };
  }
  const text =
    typeof m.content !== 'string'
      ? m.content.map((p) => part(p, label))
      : m.content || !m.toolCalls
        ? [{ text: m.content }]
        : [];
  const calls = (m.toolCalls ?? []).map((t, i) => ({
    functionCall: {
      ...(t.id !== t.name ? { id: t.id } : {}),
      name: t.name,
      args: toolArguments(label, t),
    },
    ...(i === 0 ? { thoughtSignature: UNSIGNED_CALL } : {}),
  }));
  return { role: m.role === 'assistant' ? 'model' : 'user', parts: [...text, ...calls] };
}

/** The `generateContent` body for a chat input. */
export function generateContentBody(input: ChatInput, label: string): Record<string, unknown> {
  const system = input.messages.filter((m) => m.role === 'system').map(messageText);
  const names = new Map<string, string>();
  for (const m of input.messages) for (const t of m.toolCalls ?? []) names.set(t.id, t.name);
  const body: Record<string, unknown> = {
    contents: groupToolResults(input.messages.filter((m) => m.role !== 'system')).map((m) =>
      content(m, label, names),
    ),
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
