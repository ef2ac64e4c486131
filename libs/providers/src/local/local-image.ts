import type { ImageInput } from '@gateway/contracts';
import sharp from 'sharp';
import { ProviderError } from '../provider-error';
import { COLOUR_NAMES, colourIndex, luma, type ColourName } from './local-colours';

/** Statistics of one decoded image, the local provider's whole view of it. */
export interface ImageStats {
  readonly width: number;
  readonly height: number;
  /** width / height */
  readonly aspect: number;
  readonly format: string;
  /** Mean luma, 0 (black) to 1 (white). */
  readonly brightness: number;
  /** Standard deviation of luma, 0–0.5. */
  readonly contrast: number;
  /** Mean HSV saturation, 0–1. */
  readonly saturation: number;
  /** Share of neighbouring pixel pairs whose luma differs sharply, 0–1. */
  readonly edgeDensity: number;
  /** Named colours covering at least 5% of the image, largest share first. */
  readonly colours: readonly { readonly name: ColourName; readonly share: number }[];
}

/** Statistics are computed on a thumbnail: enough for averages, cheap for large images. */
const SAMPLE_SIZE = 96;
const EDGE_STEP = 0.12;
const MIN_COLOUR_SHARE = 0.05;
/** Refuses decompression bombs: ~40 megapixels (e.g. 8000×5000) is plenty for statistics. */
const DECODE_OPTIONS: sharp.SharpOptions = { failOn: 'error', limitInputPixels: 40_000_000 };

/** The bytes of an inline image; URLs are refused because the local provider has no network. */
export function imageBytes(image: ImageInput): Buffer {
  if (!('base64' in image)) {
    throw new ProviderError(
      'invalid_request',
      'The local provider takes inline images only: send {"base64", "mediaType"} instead of {"url"}, or route the job to a vendor deployment.',
    );
  }
  const bytes = Buffer.from(image.base64, 'base64');
  if (bytes.length === 0) {
    throw new ProviderError(
      'invalid_request',
      'The image is empty: send the file bytes base64-encoded.',
    );
  }
  return bytes;
}

function undecodable(cause: unknown): ProviderError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ProviderError(
    'invalid_request',
    `The image could not be decoded (${detail}); send a PNG, JPEG, GIF or WebP file, base64-encoded.`,
    { cause },
  );
}

/** Decodes an image and computes its statistics. Undecodable bytes → invalid_request. */
export async function imageStats(image: ImageInput): Promise<ImageStats> {
  const bytes = imageBytes(image);
  let meta: sharp.Metadata;
  let data: Buffer;
  let info: sharp.OutputInfo;
  try {
    const pipeline = sharp(bytes, DECODE_OPTIONS);
    meta = await pipeline.metadata();
    ({ data, info } = await pipeline
      .clone()
      .rotate()
      .flatten({ background: '#ffffff' })
      .resize(SAMPLE_SIZE, SAMPLE_SIZE, { fit: 'inside' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true }));
  } catch (e) {
    throw undecodable(e);
  }
  // EXIF orientations 5–8 swap the sides, as the auto-rotation above did.
  const swapped = (meta.orientation ?? 1) >= 5;
  const width = (swapped ? meta.height : meta.width) ?? info.width;
  const height = (swapped ? meta.width : meta.height) ?? info.height;
  return {
    width,
    height,
    aspect: width / height,
    format: meta.format ?? 'unknown',
    ...pixelStats(data, info),
  };
}

function pixelStats(data: Buffer, info: sharp.OutputInfo) {
  const { width: w, height: h, channels } = info;
  const n = w * h;
  const lum = new Float32Array(n);
  const counts = new Array<number>(COLOUR_NAMES.length).fill(0);
  let sum = 0;
  let sumSq = 0;
  let satSum = 0;
  for (let i = 0; i < n; i++) {
    const o = i * channels;
    const r = data[o];
    const g = data[o + 1];
    const b = data[o + 2];
    const y = luma(r, g, b);
    lum[i] = y;
    sum += y;
    sumSq += y * y;
    const max = Math.max(r, g, b);
    satSum += max === 0 ? 0 : (max - Math.min(r, g, b)) / max;
    counts[colourIndex(r, g, b)]++;
  }
  let edges = 0;
  let pairs = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (x + 1 < w) {
        pairs++;
        if (Math.abs(lum[i] - lum[i + 1]) > EDGE_STEP) edges++;
      }
      if (y + 1 < h) {
        pairs++;
        if (Math.abs(lum[i] - lum[i + w]) > EDGE_STEP) edges++;
      }
    }
  }
  const mean = sum / n;
  const colours = counts
    .map((c, i) => ({ name: COLOUR_NAMES[i], share: c / n }))
    .filter((c) => c.share >= MIN_COLOUR_SHARE)
    .sort((a, b) => b.share - a.share);
  return {
    brightness: mean,
    contrast: Math.sqrt(Math.max(0, sumSq / n - mean * mean)),
    saturation: satSum / n,
    edgeDensity: pairs ? edges / pairs : 0,
    colours,
  };
}

/** A lossless PNG of the image, upright, for the OCR engine (which reads fewer formats). */
export async function imageAsPng(image: ImageInput): Promise<Buffer> {
  const bytes = imageBytes(image);
  try {
    return await sharp(bytes, DECODE_OPTIONS)
      .rotate()
      .flatten({ background: '#ffffff' })
      .png()
      .toBuffer();
  } catch (e) {
    throw undecodable(e);
  }
}
