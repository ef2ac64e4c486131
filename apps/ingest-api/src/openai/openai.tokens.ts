/** Injection tokens of the OpenAI façade. */
export const OPENAI_JOBS = Symbol('OpenAiJobs');
export const OPENAI_FILES = Symbol('OpenAiFiles');
export const OPENAI_BATCHES = Symbol('OpenAiBatches');
export const BATCH_RUNNER = Symbol('BatchRunner');
