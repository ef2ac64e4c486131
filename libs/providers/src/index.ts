export * from './provider-adapter';
export * from './provider-error';
export * from './rate-limit';
export * from './cost';
export * from './registry';
export { openaiAdapterFactory, OpenAiAdapter } from './openai/openai.adapter';
export { azureOpenAiAdapterFactory } from './azure-openai/azure-openai.adapter';
export { openAiCompatibleAdapterFactory } from './openai-compatible/openai-compatible.adapter';
export { anthropicAdapterFactory, AnthropicAdapter } from './anthropic/anthropic.adapter';
export { geminiAdapterFactory, GeminiAdapter } from './gemini/gemini.adapter';
export { bedrockAdapterFactory, BedrockAdapter } from './bedrock/bedrock.adapter';
export {
  googleVisionAdapterFactory,
  GoogleVisionAdapter,
} from './google-vision/google-vision.adapter';
export { KeyRing } from './http/key-ring';
export {
  parseGoDuration,
  parseProtoDuration,
  parseRetryAfter,
  parseRetryAfterMs,
  parseRfc3339Delay,
} from './http/durations';
export {
  readAnthropicRateLimit,
  readOpenAiRateLimit,
  readRetryAfter,
} from './http/rate-limit-headers';
export { runLocalTask, type LocalTaskResult } from './local/local-engine';
export { wordPieces } from './local/local-stream';
export { OcrEngine } from './local/local-ocr';
