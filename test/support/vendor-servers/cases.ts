import type { VendorCase } from './conformance-cases';
import { anthropicCase } from './cases.anthropic';
import { azureOpenAiCase } from './cases.azure-openai';
import { bedrockCase } from './cases.bedrock';
import { geminiCase } from './cases.gemini';
import { googleVisionCase } from './cases.google-vision';
import { openAiCase } from './cases.openai';
import { openAiCompatibleCase } from './cases.openai-compatible';

/** Every vendor adapter the conformance suite runs. */
export const VENDOR_CASES: readonly VendorCase[] = [
  openAiCase,
  azureOpenAiCase,
  openAiCompatibleCase,
  anthropicCase,
  geminiCase,
  bedrockCase,
  googleVisionCase,
];
