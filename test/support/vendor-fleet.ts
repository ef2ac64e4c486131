/**
 * Every vendor test server at once, and a `gateway.yaml` whose providers point at them by
 * `baseUrl`, for end-to-end tests that route real jobs through the queue to each adapter.
 * Each deployment has its own price and a route by `model` alias, so a job names the
 * deployment it must reach and a mis-routed job shows in its cost.
 */
import { startAnthropicServer } from './vendor-servers/anthropic.server';
import { startAzureOpenAiServer } from './vendor-servers/azure-openai.server';
import {
  BEDROCK_TEST_CREDENTIALS,
  BEDROCK_TEST_REGION,
  startBedrockServer,
} from './vendor-servers/bedrock.server';
import { startGeminiServer } from './vendor-servers/gemini.server';
import { startGoogleVisionServer } from './vendor-servers/google-vision.server';
import { startOpenAiCompatibleServer } from './vendor-servers/openai-compatible.server';
import { startOpenAiServer } from './vendor-servers/openai.server';
import type { VendorServer } from './vendor-servers/vendor-server';

export type FleetServer = VendorServer & { readonly baseUrl: string };

export interface Price {
  readonly inputPerMTok?: number;
  readonly outputPerMTok?: number;
  readonly perImage?: number;
  readonly perCall?: number;
}

/** One deployment of the fleet: where it lives and what it costs. */
export interface FleetDeployment {
  readonly id: string;
  readonly provider: string;
  readonly model: string;
  readonly class: 'llm' | 'embeddings' | 'vision';
  readonly tasks: readonly string[];
  readonly price: Price;
  /** The `model` a job names to reach this deployment (a route's match). */
  readonly alias: string;
}

/** Credentials the config takes from the environment, handed to the apps by the harness. */
export const FLEET_ENV = {
  E2E_OPENAI_KEY: 'sk-e2e-openai',
  E2E_AZURE_KEY: 'azure-e2e-key',
  E2E_AWS_ACCESS_KEY_ID: BEDROCK_TEST_CREDENTIALS.accessKeyId,
  E2E_AWS_SECRET_ACCESS_KEY: BEDROCK_TEST_CREDENTIALS.secretAccessKey,
} as const;

export const ANTHROPIC_KEYS = ['ant-e2e-key-1', 'ant-e2e-key-2'] as const;

export const DEPLOYMENTS: readonly FleetDeployment[] = [
  d('openai-chat', 'openai', 'gpt-4o-mini', 'llm', ['chat', 'summarize'], { i: 1, o: 2 }),
  d('openai-embed', 'openai', 'text-embedding-3-small', 'embeddings', ['embed'], { i: 0.5 }),
  d('azure-chat', 'azure-eu', 'gpt-4o-mini-eu', 'llm', ['chat'], { i: 1.5, o: 6 }),
  d('anthropic-chat', 'anthropic', 'claude-sonnet-4-5', 'llm', ['chat', 'classify'], {
    i: 3,
    o: 15,
  }),
  d('gemini-chat', 'gemini', 'gemini-2.5-flash', 'llm', ['chat'], { i: 0.3, o: 2.5 }),
  d('gemini-embed', 'gemini', 'gemini-embedding-001', 'embeddings', ['embed'], { i: 150 }),
  d('bedrock-chat', 'bedrock-us', 'anthropic.claude-3-haiku-20240307-v1:0', 'llm', ['chat'], {
    i: 0.25,
    o: 1.25,
  }),
  // A self-hosted model priced per call besides its tokens.
  d('vllm-chat', 'vllm', 'meta-llama/Llama-3.1-8B-Instruct', 'llm', ['chat'], {
    i: 0.1,
    o: 0.2,
    call: 0.0004,
  }),
  d('vllm-embed', 'vllm', 'BAAI/bge-small-en-v1.5', 'embeddings', ['embed'], { i: 0.02 }),
  d('vision-annotate', 'vision', 'builtin/stable', 'vision', ['image.classify', 'image.ocr'], {
    img: 0.0015,
  }),
  d('flaky-chat', 'openai-flaky', 'gpt-4o-mini', 'llm', ['chat'], { i: 1, o: 2 }),
];

function d(
  id: string,
  provider: string,
  model: string,
  cls: FleetDeployment['class'],
  tasks: string[],
  p: { i?: number; o?: number; img?: number; call?: number },
): FleetDeployment {
  const price: Price = {
    ...(p.i !== undefined ? { inputPerMTok: p.i } : {}),
    ...(p.o !== undefined ? { outputPerMTok: p.o } : {}),
    ...(p.img !== undefined ? { perImage: p.img } : {}),
    ...(p.call !== undefined ? { perCall: p.call } : {}),
  };
  return { id, provider, model, class: cls, tasks, price, alias: `e2e/${id}` };
}

export function deployment(id: string): FleetDeployment {
  const found = DEPLOYMENTS.find((x) => x.id === id);
  if (!found) throw new Error(`No fleet deployment "${id}"`);
  return found;
}

/** The cost the gateway must charge: per million tokens in and out, plus per call and per image. */
export function expectedCost(
  price: Price,
  usage: { inputTokens: number; outputTokens: number },
  images = 0,
): number {
  const usd =
    (usage.inputTokens * (price.inputPerMTok ?? 0) +
      usage.outputTokens * (price.outputPerMTok ?? 0)) /
      1e6 +
    (price.perCall ?? 0) +
    images * (price.perImage ?? 0);
  return Math.round(usd * 1e9) / 1e9;
}

export interface Fleet {
  readonly openai: FleetServer;
  readonly openaiFlaky: FleetServer;
  readonly azure: FleetServer;
  readonly anthropic: FleetServer;
  readonly gemini: FleetServer;
  readonly bedrock: FleetServer;
  readonly vllm: FleetServer;
  readonly vision: FleetServer;
  /** gateway.yaml pointing every provider at its server. */
  readonly config: string;
  close(): Promise<void>;
}

export async function startFleet(): Promise<Fleet> {
  const [openai, openaiFlaky, azure, anthropic, gemini, bedrock, vllm, vision] = await Promise.all([
    startOpenAiServer(),
    startOpenAiServer(),
    startAzureOpenAiServer(),
    startAnthropicServer(),
    startGeminiServer(),
    startBedrockServer(),
    startOpenAiCompatibleServer(),
    startGoogleVisionServer(),
  ]);
  const all = [openai, openaiFlaky, azure, anthropic, gemini, bedrock, vllm, vision];
  const providers = [
    { id: 'openai', type: 'openai', baseUrl: openai.baseUrl, apiKey: '${E2E_OPENAI_KEY}' },
    { id: 'openai-flaky', type: 'openai', baseUrl: openaiFlaky.baseUrl, apiKey: 'sk-e2e-flaky' },
    {
      id: 'azure-eu',
      type: 'azure-openai',
      baseUrl: azure.baseUrl,
      apiKey: '${E2E_AZURE_KEY}',
      apiVersion: '2024-10-21',
    },
    { id: 'anthropic', type: 'anthropic', baseUrl: anthropic.baseUrl, apiKeys: ANTHROPIC_KEYS },
    { id: 'gemini', type: 'gemini', baseUrl: gemini.baseUrl, apiKey: 'gemini-e2e-key' },
    {
      id: 'bedrock-us',
      type: 'bedrock',
      baseUrl: bedrock.baseUrl,
      region: BEDROCK_TEST_REGION,
      accessKeyId: '${E2E_AWS_ACCESS_KEY_ID}',
      secretAccessKey: '${E2E_AWS_SECRET_ACCESS_KEY}',
    },
    { id: 'vllm', type: 'openai-compatible', baseUrl: vllm.baseUrl },
    { id: 'vision', type: 'google-vision', baseUrl: vision.baseUrl, apiKey: 'vision-e2e-key' },
  ].map((p) => ({ ...p, timeoutMs: 10_000 }));
  const deployments = DEPLOYMENTS.map((x) => ({
    id: x.id,
    provider: x.provider,
    model: x.model,
    class: x.class,
    tasks: x.tasks,
    region: 'us',
    price: x.price,
  }));
  const routes = DEPLOYMENTS.map((x) => ({
    match: { model: x.alias },
    strategy: 'priority',
    targets: [x.id],
  }));
  // JSON is YAML: no hand-written indentation to get wrong.
  const config = JSON.stringify({ providers, deployments, routes, tenants: [{ id: 'acme' }] });
  return {
    openai,
    openaiFlaky,
    azure,
    anthropic,
    gemini,
    bedrock,
    vllm,
    vision,
    config,
    close: async () => {
      await Promise.all(all.map((s) => s.close()));
    },
  };
}
