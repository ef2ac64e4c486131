import type { VendorCase } from './conformance-cases';
import { openAiCase } from './cases.openai';

/** Every vendor adapter the conformance suite runs. */
export const VENDOR_CASES: readonly VendorCase[] = [openAiCase];
