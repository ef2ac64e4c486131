import type { ChatMessage, ImageInput, TaskInput, TaskOutput } from '@gateway/contracts';
import { ruleReply, type Conversation } from './local-chat-rules';
import { extractObject } from './local-extract';
import { imageStats } from './local-image';
import { asObjectSchema, fillToSchema } from './local-json-schema';
import { TextScanner } from './local-scanner';
import { truncateToTokens } from './local-usage';
import { describe } from './local-vision';

/** A chat answer and the number of images read to produce it (for per-image prices). */
export interface ChatAnswer {
  readonly output: TaskOutput<'chat'>;
  readonly images: number;
}

function textOf(m: ChatMessage): string {
  if (typeof m.content === 'string') return m.content;
  return m.content
    .flatMap((p) => (p.type === 'text' ? [p.text] : []))
    .join('\n')
    .trim();
}

function imagesOf(m: ChatMessage | undefined): ImageInput[] {
  if (!m || typeof m.content === 'string') return [];
  return m.content.flatMap((p) => (p.type === 'image' ? [p.image] : []));
}

/** Questions about the attached image itself, which the description already answers. */
const ABOUT_IMAGE =
  /^\s*$|\b(?:image|picture|photo|pic|colou?rs?|describe|what(?:'s| is) (?:this|in))\b/i;

async function reply(input: TaskInput<'chat'>): Promise<{ text: string; images: number }> {
  const lastUser = input.messages.findLastIndex((m) => m.role === 'user');
  const last = lastUser >= 0 ? input.messages[lastUser] : undefined;
  const conversation: Conversation = {
    last: last ? textOf(last) : '',
    context: input.messages.slice(0, Math.max(lastUser, 0)).map(textOf).filter(Boolean),
  };
  const images = imagesOf(last);
  if (images.length === 0) return { text: ruleReply(conversation), images: 0 };
  const parts: string[] = [];
  for (const [i, image] of images.entries()) {
    const description = describe(await imageStats(image));
    parts.push(images.length === 1 ? description : `Image ${i + 1}: ${description}`);
  }
  if (!ABOUT_IMAGE.test(conversation.last)) parts.push(ruleReply(conversation));
  return { text: parts.join(' '), images: images.length };
}

/** Shapes the reply as the caller's `responseFormat` asks: always valid JSON for JSON modes. */
function format(input: TaskInput<'chat'>, text: string): string {
  const rf = input.responseFormat;
  if (!rf || rf.type === 'text') return text;
  if (rf.type === 'json_object') return JSON.stringify({ reply: text });
  // Fill the schema from the conversation's text; what is not found gets a value of its type.
  const schema = asObjectSchema(rf.schema);
  const all = input.messages.map(textOf).join('\n');
  return JSON.stringify(fillToSchema(schema, extractObject(schema, new TextScanner(all)), text));
}

/**
 * The local chat model: rule-based replies to the last user message (arithmetic, counting,
 * summarising, greetings, answers found in the conversation), descriptions of attached
 * images, JSON modes, and `maxTokens` cuts that report finishReason "length".
 */
export async function chat(input: TaskInput<'chat'>): Promise<ChatAnswer> {
  const { text, images } = await reply(input);
  const content = format(input, text);
  if (input.maxTokens !== undefined) {
    const cut = truncateToTokens(content, input.maxTokens);
    if (cut.cut) {
      return {
        output: { message: { role: 'assistant', content: cut.text }, finishReason: 'length' },
        images,
      };
    }
  }
  return { output: { message: { role: 'assistant', content }, finishReason: 'stop' }, images };
}
