import type { ProviderConfig } from '@gateway/config';
import type { AdapterFactory } from '../provider-adapter';
import { OPENAI_TASKS, OpenAiAdapter, type OpenAiFlavour } from '../openai/openai.adapter';
import { mapAzureOpenAiError } from './azure-openai.errors';

export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

/** Azure OpenAI: OpenAI's wire format under `/openai/deployments/{deployment}` with `api-key`. */
export const AZURE_OPENAI_FLAVOUR: OpenAiFlavour = {
  type: 'azure-openai',
  url: (p, op, deployment) => {
    const base = p.baseUrl!.replace(/\/+$/, '');
    const version = encodeURIComponent(p.apiVersion ?? AZURE_DEFAULT_API_VERSION);
    return `${base}/openai/deployments/${encodeURIComponent(deployment)}/${op}?api-version=${version}`;
  },
  authorize: (req, key) => {
    if (key) req.headers['api-key'] = key;
  },
  modelInBody: false,
  maxTokensField: 'max_tokens',
  embeddingEncoding: 'float',
  mapError: mapAzureOpenAiError,
};

export const azureOpenAiAdapterFactory: AdapterFactory = {
  type: 'azure-openai',
  tasks: OPENAI_TASKS,
  hasCredentials: (p) => !!p.apiKey || !!p.apiKeys?.length,
  configProblems: (p) =>
    p.baseUrl
      ? []
      : [
          `baseUrl: provider "${p.id}" (azure-openai) needs its resource root, e.g. https://my-resource.openai.azure.com`,
        ],
  create: (p: ProviderConfig) => {
    if (!p.baseUrl) throw new Error(azureOpenAiAdapterFactory.configProblems!(p).join('; '));
    return new OpenAiAdapter(p, AZURE_OPENAI_FLAVOUR);
  },
};
