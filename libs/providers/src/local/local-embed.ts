import type { TaskInput, TaskOutput } from '@gateway/contracts';
import { words } from './local-text';

export const DEFAULT_EMBED_DIMENSIONS = 256;

/** Character n-gram sizes: they make "colour"/"colours"/"color" land near each other. */
const NGRAM_SIZES = [3, 4] as const;
const WORD_WEIGHT = 1;
const NGRAM_WEIGHT = 0.5;

/** FNV-1a over UTF-16 code units, then a murmur3 finaliser so low bits mix well. */
function hash(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Signed feature hashing: each feature adds ±weight at a hashed index. The sign comes from
 * a second, independent hash so collisions cancel on average instead of piling up.
 */
function add(vec: Float64Array, feature: string, weight: number): void {
  const index = hash(feature, 0) % vec.length;
  const sign = hash(feature, 0x9e3779b9) & 1 ? 1 : -1;
  vec[index] += sign * weight;
}

/** One L2-normalised vector for one text; the same text always gives the same vector. */
export function embedText(text: string, dimensions: number): number[] {
  const vec = new Float64Array(dimensions);
  const tokens = words(text.normalize('NFKC'));
  for (const w of tokens) {
    add(vec, `w:${w}`, WORD_WEIGHT);
    const padded = ` ${w} `;
    for (const n of NGRAM_SIZES) {
      for (let i = 0; i + n <= padded.length; i++)
        add(vec, `c${n}:${padded.slice(i, i + n)}`, NGRAM_WEIGHT);
    }
  }
  let norm = 0;
  for (const v of vec) norm += v * v;
  if (norm === 0) {
    // Text without words (punctuation, emoji) still needs a unit vector: hash it whole.
    add(vec, `raw:${text}`, 1);
    norm = 1;
  }
  const inv = 1 / Math.sqrt(norm);
  const out = new Array<number>(dimensions);
  for (let i = 0; i < dimensions; i++) out[i] = vec[i] * inv;
  return out;
}

/** Hashing embedder: word unigrams plus character n-grams, `dimensions` wide (default 256). */
export function embed(input: TaskInput<'embed'>): TaskOutput<'embed'> {
  const dimensions = input.dimensions ?? DEFAULT_EMBED_DIMENSIONS;
  const texts = typeof input.input === 'string' ? [input.input] : input.input;
  return { embeddings: texts.map((t) => embedText(t, dimensions)) };
}

/** Cosine similarity of two vectors of the same length. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
