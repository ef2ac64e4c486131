/**
 * Azure OpenAI test server: `/openai/deployments/{deployment}/{chat/completions|embeddings}`
 * with `api-version` in the query and the key in `api-key`; content-filter results on
 * answers, the bare prompt-filter chunk first in streams, Azure's error bodies (string
 * codes, `content_filter` 400, `DeploymentNotFound`) and `Retry-After` on 429.
 *
 *   const server = await startAzureOpenAiServer();
 *   const provider = { id: 'azure', type: 'azure-openai', baseUrl: server.baseUrl, apiKey: 'k', apiVersion: '2024-10-21' };
 *   server.scriptError(400, 'content_filter');
 *   server.requests[0].query['api-version'];
 */
import chatFixture from '../../../libs/providers/src/azure-openai/fixtures/chat-completion.json';
import preludeFixture from '../../../libs/providers/src/azure-openai/fixtures/stream-prelude-chunk.json';
import errorFixtures from '../../../libs/providers/src/azure-openai/fixtures/errors.json';
import { openAiShapedBehaviour, type OpenAiServer } from './openai.server';
import { startVendorServer } from './vendor-server';

const DEPLOYMENT_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;

export const AZURE_RATE_LIMIT_HEADERS = {
  'x-ratelimit-limit-requests': '100',
  'x-ratelimit-remaining-requests': '99',
  'x-ratelimit-limit-tokens': '100000',
  'x-ratelimit-remaining-tokens': '99970',
} as const;

export async function startAzureOpenAiServer(): Promise<OpenAiServer> {
  const server = await startVendorServer(
    openAiShapedBehaviour({
      isChat: (p) => DEPLOYMENT_PATH.exec(p)?.[2] === 'chat/completions',
      isEmbeddings: (p) => DEPLOYMENT_PATH.exec(p)?.[2] === 'embeddings',
      keyOf: (req) => req.headers['api-key'] as string | undefined,
      errors: errorFixtures,
      successHeaders: {
        ...AZURE_RATE_LIMIT_HEADERS,
        'apim-request-id': 'apim-test',
        'x-ms-region': 'Sweden Central',
      },
      errorHeaders: (status): Record<string, string> =>
        status === 429
          ? {
              'retry-after': '6',
              'x-ratelimit-remaining-requests': '0',
              'apim-request-id': 'apim-test',
            }
          : { 'apim-request-id': 'apim-test' },
      decorate: (answer) => {
        const { choices, prompt_filter_results } = structuredClone(chatFixture);
        answer.prompt_filter_results = prompt_filter_results;
        answer.choices[0].content_filter_results = choices[0].content_filter_results;
      },
      streamPrelude: [preludeFixture],
      model: () => chatFixture.model,
    }),
  );
  return Object.assign(server, { baseUrl: server.url });
}
