import type { TaskInput, TaskOutput } from '@gateway/contracts';
import { COLOUR_NAMES, type ColourName } from './local-colours';
import { imageStats, type ImageStats } from './local-image';
import { words } from './local-text';

/** Labels scored when the caller gives none. */
export const DEFAULT_IMAGE_LABELS = [
  'dark',
  'bright',
  'colourful',
  'monochrome',
  'landscape',
  'portrait',
  'square',
  'document/text',
] as const;

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

function share(s: ImageStats, ...names: ColourName[]): number {
  return s.colours.filter((c) => names.includes(c.name)).reduce((a, c) => a + c.share, 0);
}

/** How much the image looks like a page of text: light, colourless, with crisp strokes. */
function documentScore(s: ImageStats): number {
  return (
    clamp01((s.brightness - 0.55) / 0.3) *
    clamp01((0.25 - s.saturation) / 0.2) *
    clamp01(s.edgeDensity / 0.04)
  );
}

type Feature = (s: ImageStats) => number;

const FEATURES: Record<string, Feature> = {
  dark: (s) => clamp01((0.55 - s.brightness) / 0.4),
  bright: (s) => clamp01((s.brightness - 0.45) / 0.4),
  colourful: (s) => clamp01(s.saturation / 0.45),
  monochrome: (s) => clamp01((0.2 - s.saturation) / 0.15),
  landscape: (s) => clamp01((s.aspect - 1.05) / 0.45),
  portrait: (s) => clamp01((1 / s.aspect - 1.05) / 0.45),
  square: (s) => clamp01(1 - Math.abs(Math.log(s.aspect)) / 0.15),
  document: documentScore,
  photo: (s) => 1 - documentScore(s),
  detailed: (s) => clamp01(s.edgeDensity / 0.25),
  plain: (s) => clamp01(1 - s.edgeDensity / 0.05),
  contrast: (s) => clamp01(s.contrast / 0.35),
  sky: (s) => clamp01(share(s, 'blue', 'cyan') / 0.4),
  nature: (s) => clamp01(share(s, 'green', 'brown') / 0.4),
  sunset: (s) => clamp01(share(s, 'orange', 'red', 'yellow', 'pink') / 0.4),
  snow: (s) => clamp01(share(s, 'white') / 0.6),
};

/** Words callers use for the same feature. */
const SYNONYMS: Record<string, string> = {
  night: 'dark',
  dim: 'dark',
  dusk: 'dark',
  light: 'bright',
  day: 'bright',
  daylight: 'bright',
  sunny: 'bright',
  colorful: 'colourful',
  vivid: 'colourful',
  vibrant: 'colourful',
  saturated: 'colourful',
  grayscale: 'monochrome',
  greyscale: 'monochrome',
  bw: 'monochrome',
  wide: 'landscape',
  horizontal: 'landscape',
  panorama: 'landscape',
  tall: 'portrait',
  vertical: 'portrait',
  text: 'document',
  screenshot: 'document',
  receipt: 'document',
  scan: 'document',
  page: 'document',
  invoice: 'document',
  letter: 'document',
  photograph: 'photo',
  picture: 'photo',
  busy: 'detailed',
  complex: 'detailed',
  texture: 'detailed',
  simple: 'plain',
  minimal: 'plain',
  blank: 'plain',
  empty: 'plain',
  sea: 'sky',
  ocean: 'sky',
  water: 'sky',
  lake: 'sky',
  forest: 'nature',
  grass: 'nature',
  tree: 'nature',
  plant: 'nature',
  garden: 'nature',
  fire: 'sunset',
  flame: 'sunset',
  ice: 'snow',
  gray: 'grey',
  colour: 'colourful',
  color: 'colourful',
};

function wordScore(word: string, s: ImageStats): number | undefined {
  const w = word.endsWith('s') && !(word in FEATURES) ? word.slice(0, -1) : word;
  const name = SYNONYMS[w] ?? w;
  if ((COLOUR_NAMES as readonly string[]).includes(name)) {
    // A colour covering half the image or more is as "red" as an image gets.
    return clamp01(share(s, name as ColourName) / 0.5);
  }
  return FEATURES[name]?.(s);
}

/** A label's score is the mean over its words the provider can judge; unknown labels score 0. */
export function scoreLabel(label: string, s: ImageStats): number {
  const known = words(label)
    .map((w) => wordScore(w, s))
    .filter((x): x is number => x !== undefined);
  if (!known.length) return 0;
  return Math.round((known.reduce((a, b) => a + b, 0) / known.length) * 1e4) / 1e4;
}

export async function imageClassify(
  input: TaskInput<'image.classify'>,
): Promise<TaskOutput<'image.classify'>> {
  const stats = await imageStats(input.image);
  const labels = [...new Set(input.labels ?? DEFAULT_IMAGE_LABELS)];
  return {
    labels: labels
      .map((label) => ({ label, score: scoreLabel(label, stats) }))
      .sort((a, b) => b.score - a.score),
  };
}

function list(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** One sentence built from the statistics, e.g. "A bright, wide image (640×480) dominated by blue and white." */
export function describe(s: ImageStats): string {
  const tone = s.brightness < 0.3 ? 'dark' : s.brightness > 0.65 ? 'bright' : undefined;
  const colour = s.saturation > 0.45 ? 'colourful' : s.saturation < 0.08 ? 'monochrome' : undefined;
  const shape =
    s.aspect > 1.6
      ? 'wide'
      : s.aspect > 1.15
        ? 'landscape'
        : s.aspect < 0.625
          ? 'tall'
          : s.aspect < 0.87
            ? 'portrait'
            : 'square';
  const adjectives = [tone, colour, shape].filter(Boolean).join(', ');
  const article = /^[aeiou]/.test(adjectives) ? 'An' : 'A';
  let sentence = `${article} ${adjectives} image (${s.width}×${s.height})`;
  const top = s.colours[0];
  if (top && top.share > 0.9) sentence += ` almost entirely ${top.name}`;
  else if (top) sentence += ` dominated by ${list(s.colours.slice(0, 3).map((c) => c.name))}`;
  if (documentScore(s) > 0.5) sentence += ' that looks like text or a document';
  if (s.edgeDensity > 0.25) sentence += ', with much fine detail';
  else if (s.edgeDensity < 0.005) sentence += ', with no visible detail';
  return `${sentence}.`;
}

export async function imageCaption(
  input: TaskInput<'image.caption'>,
): Promise<TaskOutput<'image.caption'>> {
  return { caption: describe(await imageStats(input.image)) };
}
