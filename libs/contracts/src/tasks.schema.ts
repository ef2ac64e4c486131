import { z } from 'zod';

/** An image given inline (base64) or by URL. */
export const ImageInput = z.union([
  z.strictObject({
    base64: z.string().min(1).max(14_000_000),
    mediaType: z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/webp']),
  }),
  z.strictObject({ url: z.url({ protocol: /^https?$/ }).max(4096) }),
]);
export type ImageInput = z.infer<typeof ImageInput>;

const ContentPart = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string().max(2_000_000) }),
  z.strictObject({ type: z.literal('image'), image: ImageInput }),
]);
export type ContentPart = z.infer<typeof ContentPart>;

/** A tool call the model made earlier in the conversation, sent back as history. */
export const ToolCallInput = z.strictObject({
  id: z.string().min(1).max(128),
  name: z.string().min(1).max(64),
  /** The arguments as the model wrote them: a JSON text. */
  arguments: z.string().max(2_000_000),
});
export type ToolCallInput = z.infer<typeof ToolCallInput>;

export const ChatMessage = z
  .strictObject({
    role: z.enum(['system', 'user', 'assistant', 'tool']),
    content: z.union([z.string().max(2_000_000), z.array(ContentPart).min(1).max(64)]),
    name: z.string().max(64).optional(),
    /** On a `tool` message: the id of the tool call it answers. */
    toolCallId: z.string().max(128).optional(),
    /** On an `assistant` message: the tools it called (its content may then be empty). */
    toolCalls: z.array(ToolCallInput).min(1).max(128).optional(),
  })
  .refine((m) => !m.toolCalls || m.role === 'assistant', {
    message: 'only assistant messages carry toolCalls',
    path: ['toolCalls'],
  });
export type ChatMessage = z.infer<typeof ChatMessage>;

export const ToolDefinition = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  description: z.string().max(4096).optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

export const ChatInput = z.strictObject({
  messages: z.array(ChatMessage).min(1).max(1024),
  maxTokens: z.int().min(1).max(200_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  responseFormat: z
    .union([
      z.strictObject({ type: z.literal('text') }),
      z.strictObject({ type: z.literal('json_object') }),
      z.strictObject({
        type: z.literal('json_schema'),
        name: z.string().max(64).optional(),
        schema: z.record(z.string(), z.unknown()),
      }),
    ])
    .optional(),
  tools: z.array(ToolDefinition).max(128).optional(),
  stream: z.boolean().optional(),
});
export const SummarizeInput = z.strictObject({
  text: z.string().min(1).max(2_000_000),
  maxWords: z.int().min(1).max(10_000).optional(),
});
export const ClassifyInput = z.strictObject({
  text: z.string().min(1).max(2_000_000),
  labels: z.array(z.string().min(1).max(200)).min(2).max(256),
});
export const ExtractInput = z.strictObject({
  text: z.string().min(1).max(2_000_000),
  schema: z.record(z.string(), z.unknown()),
});
export const EmbedInput = z.strictObject({
  input: z.union([
    z.string().min(1).max(200_000),
    z.array(z.string().min(1).max(200_000)).min(1).max(2048),
  ]),
  dimensions: z.int().min(1).max(8192).optional(),
});
export const ImageClassifyInput = z.strictObject({
  image: ImageInput,
  labels: z.array(z.string().min(1).max(200)).min(1).max(256).optional(),
});
export const ImageCaptionInput = z.strictObject({ image: ImageInput });
export const ImageOcrInput = z.strictObject({ image: ImageInput });

export const ToolCall = z.object({ id: z.string(), name: z.string(), arguments: z.string() });
export const FinishReason = z.enum(['stop', 'length', 'tool_calls', 'content_filter', 'error']);
export type FinishReason = z.infer<typeof FinishReason>;

export const ChatOutput = z.object({
  message: z.object({
    role: z.literal('assistant'),
    content: z.string(),
    toolCalls: z.array(ToolCall).optional(),
  }),
  finishReason: FinishReason,
});
export const SummarizeOutput = z.object({ summary: z.string() });
export const ClassifyOutput = z.object({
  label: z.string(),
  scores: z.record(z.string(), z.number()),
});
export const ExtractOutput = z.object({ data: z.record(z.string(), z.unknown()) });
export const EmbedOutput = z.object({ embeddings: z.array(z.array(z.number())) });
export const ImageClassifyOutput = z.object({
  labels: z.array(z.object({ label: z.string(), score: z.number() })),
});
export const ImageCaptionOutput = z.object({ caption: z.string() });
export const ImageOcrOutput = z.object({ text: z.string() });

/** The task catalogue: each task name with its input and output schema. */
export const TASKS = {
  chat: { input: ChatInput, output: ChatOutput },
  summarize: { input: SummarizeInput, output: SummarizeOutput },
  classify: { input: ClassifyInput, output: ClassifyOutput },
  extract: { input: ExtractInput, output: ExtractOutput },
  embed: { input: EmbedInput, output: EmbedOutput },
  'image.classify': { input: ImageClassifyInput, output: ImageClassifyOutput },
  'image.caption': { input: ImageCaptionInput, output: ImageCaptionOutput },
  'image.ocr': { input: ImageOcrInput, output: ImageOcrOutput },
} as const;

export type TaskName = keyof typeof TASKS;
export const TASK_NAMES = Object.keys(TASKS) as TaskName[];
export const TaskName = z.enum(TASK_NAMES as [TaskName, ...TaskName[]]);
export type TaskInput<T extends TaskName> = z.infer<(typeof TASKS)[T]['input']>;
export type TaskOutput<T extends TaskName> = z.infer<(typeof TASKS)[T]['output']>;
export type AnyTaskOutput = TaskOutput<TaskName>;

export type ProviderClass = 'llm' | 'embeddings' | 'vision';
export const PROVIDER_CLASSES = ['llm', 'embeddings', 'vision'] as const;
export const ProviderClass = z.enum(PROVIDER_CLASSES);

/** Which provider class serves a task. */
export const TASK_CLASS: Record<TaskName, ProviderClass> = {
  chat: 'llm',
  summarize: 'llm',
  classify: 'llm',
  extract: 'llm',
  embed: 'embeddings',
  'image.classify': 'vision',
  'image.caption': 'vision',
  'image.ocr': 'vision',
};
