import { DeploymentConfig, type LocalSimulation } from '@gateway/config';
import type { ImageInput } from '@gateway/contracts';
import sharp from 'sharp';
import type { CallContext } from '../provider-adapter';

/**
 * Helpers for the local provider's specs: generated images and deployment contexts.
 * Images are rendered with sharp at test time so no binary fixtures are checked in.
 */

export async function solidPng(
  width: number,
  height: number,
  rgb: { r: number; g: number; b: number },
): Promise<ImageInput> {
  const png = await sharp({ create: { width, height, channels: 3, background: rgb } })
    .png()
    .toBuffer();
  return { base64: png.toString('base64'), mediaType: 'image/png' };
}

/** Black text on white, in a font the machine has, for OCR and document-like statistics. */
export async function textPng(text: string, width = 640, height = 120): Promise<ImageInput> {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="20" y="${Math.round(height * 0.66)}" font-family="DejaVu Sans" font-size="48" fill="black">${text}</text></svg>`;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  return { base64: png.toString('base64'), mediaType: 'image/png' };
}

let counter = 0;

/** A parsed local deployment with a unique id, so in-flight counts never leak between tests. */
export function localDeployment(simulate?: Partial<LocalSimulation>): DeploymentConfig {
  counter += 1;
  return DeploymentConfig.parse({
    id: `local-test-${counter}`,
    provider: 'local',
    model: 'local-rules-1',
    class: 'llm',
    tasks: ['chat'],
    ...(simulate ? { simulate } : {}),
  });
}

export function contextFor(
  deployment: DeploymentConfig,
  opts: { signal?: AbortSignal; timeoutMs?: number } = {},
): CallContext {
  return {
    deployment,
    signal: opts.signal ?? new AbortController().signal,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  };
}
