import type { TaskInput, TaskName, TaskOutput, Usage } from '@gateway/contracts';
import { chat } from './local-chat';
import { classify } from './local-classify';
import { embed } from './local-embed';
import { extract } from './local-extract';
import { imageOcr, type OcrEngine } from './local-ocr';
import { summarize } from './local-summarize';
import { estimateUsage } from './local-usage';
import { imageCaption, imageClassify } from './local-vision';

/** What the engine needs that has a lifecycle: the OCR worker. */
export interface LocalEngineDeps {
  readonly ocr: OcrEngine;
}

/** One task's outcome, before any simulated latency or fault is applied. */
export interface LocalTaskResult<T extends TaskName> {
  readonly output: TaskOutput<T>;
  readonly usage: Usage;
  /** Images decoded to produce the output. */
  readonly images: number;
}

type Handlers = {
  [K in TaskName]: (
    input: TaskInput<K>,
    deps: LocalEngineDeps,
  ) =>
    { output: TaskOutput<K>; images: number } | Promise<{ output: TaskOutput<K>; images: number }>;
};

const HANDLERS: Handlers = {
  chat: (input) => chat(input),
  summarize: (input) => ({ output: summarize(input), images: 0 }),
  classify: (input) => ({ output: classify(input), images: 0 }),
  extract: (input) => ({ output: extract(input), images: 0 }),
  embed: (input) => ({ output: embed(input), images: 0 }),
  'image.classify': async (input) => ({ output: await imageClassify(input), images: 1 }),
  'image.caption': async (input) => ({ output: await imageCaption(input), images: 1 }),
  'image.ocr': async (input, deps) => ({ output: await imageOcr(input, deps.ocr), images: 1 }),
};

/**
 * Runs one task with the local algorithms. Pure apart from image decoding and the OCR
 * worker: no simulation, no network. Shared by the adapter and any server that wants to
 * answer like the local provider.
 */
export async function runLocalTask<T extends TaskName>(
  task: T,
  input: TaskInput<T>,
  deps: LocalEngineDeps,
): Promise<LocalTaskResult<T>> {
  const handler = HANDLERS[task];
  const { output, images } = await handler(input, deps);
  return { output, usage: estimateUsage(task, input, output), images };
}

const CPU_ONLY: ReadonlySet<TaskName> = new Set(['summarize', 'classify', 'extract', 'embed']);

/**
 * True when the task runs on the CPU only (no image decoding, no OCR): its work is done by
 * the time `runLocalTask` returns its promise, so there is nothing to race against
 * cancellation and the hot path can skip the timer.
 */
export function isCpuOnly<T extends TaskName>(task: T, input: TaskInput<T>): boolean {
  if (CPU_ONLY.has(task)) return true;
  if (task !== 'chat') return false;
  return (input as TaskInput<'chat'>).messages.every(
    (m) => typeof m.content === 'string' || m.content.every((p) => p.type === 'text'),
  );
}
