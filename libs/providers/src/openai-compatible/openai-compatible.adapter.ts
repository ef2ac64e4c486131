import type { AdapterFactory } from '../provider-adapter';
import {
  OPENAI_FLAVOUR,
  OPENAI_TASKS,
  OpenAiAdapter,
  type OpenAiFlavour,
} from '../openai/openai.adapter';

/**
 * Servers that speak OpenAI's API (vLLM, Ollama, Together, Groq, Mistral...): OpenAI's
 * adapter with an optional key, the widely supported `max_tokens`, and float embeddings
 * (not every server encodes base64). Their errors are OpenAI-shaped, vLLM's integer
 * `code` and flat bodies included, so OpenAI's mapping serves.
 */
export const OPENAI_COMPATIBLE_FLAVOUR: OpenAiFlavour = {
  ...OPENAI_FLAVOUR,
  type: 'openai-compatible',
  url: (p, op) => `${p.baseUrl!.replace(/\/+$/, '')}/${op}`,
  maxTokensField: 'max_tokens',
  embeddingEncoding: 'float',
};

export const openAiCompatibleAdapterFactory: AdapterFactory = {
  type: 'openai-compatible',
  tasks: OPENAI_TASKS,
  hasCredentials: () => true,
  configProblems: (p) =>
    p.baseUrl
      ? []
      : [
          `baseUrl: provider "${p.id}" (openai-compatible) needs the server's API root, e.g. http://localhost:11434/v1`,
        ],
  create: (p) => {
    if (!p.baseUrl) throw new Error(openAiCompatibleAdapterFactory.configProblems!(p).join('; '));
    return new OpenAiAdapter(p, OPENAI_COMPATIBLE_FLAVOUR);
  },
};
