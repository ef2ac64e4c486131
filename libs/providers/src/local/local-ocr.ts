import type { TaskInput, TaskOutput } from '@gateway/contracts';
import path from 'node:path';
import { createWorker, type Worker } from 'tesseract.js';
import { ProviderError } from '../provider-error';
import { imageAsPng } from './local-image';

/** Where the English model ships: the npm package's folder for tesseract's 4.0.0 data. */
function englishLangPath(): string {
  const pkg = require.resolve('@tesseract.js-data/eng/package.json');
  return path.join(path.dirname(pkg), '4.0.0');
}

/**
 * Offline OCR on one lazily started tesseract.js worker, reused by every call. The worker
 * queues concurrent jobs itself; starting one costs ~0.3 s and tens of MB, so it is never
 * created per call. `close()` terminates it; the next call starts a new one.
 */
export class OcrEngine {
  private worker: Promise<Worker> | undefined;

  private start(): Promise<Worker> {
    if (!this.worker) {
      const starting = createWorker('eng', 1, {
        langPath: englishLangPath(),
        gzip: true,
        // No cache: the data is read from node_modules, never fetched or written elsewhere.
        cacheMethod: 'none',
      });
      this.worker = starting;
      // A failed start must not poison later calls: forget it so the next call retries.
      starting.catch(() => {
        if (this.worker === starting) this.worker = undefined;
      });
    }
    return this.worker;
  }

  async recognize(png: Buffer): Promise<string> {
    let worker: Worker;
    try {
      worker = await this.start();
    } catch (e) {
      throw new ProviderError(
        'server_error',
        `The local OCR engine could not start (${e instanceof Error ? e.message : String(e)}); check that tesseract.js and @tesseract.js-data/eng are installed.`,
        { cause: e },
      );
    }
    try {
      const { data } = await worker.recognize(png);
      return data.text;
    } catch (e) {
      throw new ProviderError(
        'server_error',
        `The local OCR engine failed on this image (${e instanceof Error ? e.message : String(e)}); retry, or route image.ocr to a vendor deployment.`,
        { cause: e },
      );
    }
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    try {
      await (await worker).terminate();
    } catch {
      // A worker that never started has nothing to terminate.
    }
  }
}

/** Collapses the engine's layout whitespace: trailing spaces, runs of blank lines. */
export function tidyOcrText(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export async function imageOcr(
  input: TaskInput<'image.ocr'>,
  ocr: OcrEngine,
): Promise<TaskOutput<'image.ocr'>> {
  const png = await imageAsPng(input.image);
  return { text: tidyOcrText(await ocr.recognize(png)) };
}
