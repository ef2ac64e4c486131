/**
 * OpenAI-compatible test server in the manner of vLLM and Ollama: OpenAI's endpoints under
 * `/v1`, no key required, no rate-limit headers, vLLM's error bodies (integer `code`, and the
 * older flat `{"object":"error",...}` as variant `400_flat`).
 *
 *   const server = await startOpenAiCompatibleServer();
 *   const provider = { id: 'vllm', type: 'openai-compatible', baseUrl: server.baseUrl };
 *   server.scriptError(400, 'flat');
 */
import errorFixtures from '../../../libs/providers/src/openai-compatible/fixtures/errors.json';
import { OPENAI_SHAPE, openAiShapedBehaviour, type OpenAiServer } from './openai.server';
import { startVendorServer } from './vendor-server';

export async function startOpenAiCompatibleServer(): Promise<OpenAiServer> {
  const server = await startVendorServer(
    openAiShapedBehaviour({
      ...OPENAI_SHAPE,
      errors: errorFixtures,
      successHeaders: {},
      errorHeaders: (status): Record<string, string> =>
        status === 429 ? { 'retry-after': '2' } : {},
      model: (req) => String(req.body?.model ?? 'model'),
    }),
  );
  return Object.assign(server, { baseUrl: `${server.url}/v1` });
}
