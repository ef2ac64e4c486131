/** Named colours the image statistics speak in. */
export const COLOUR_NAMES = [
  'black',
  'white',
  'grey',
  'red',
  'orange',
  'yellow',
  'green',
  'cyan',
  'blue',
  'purple',
  'pink',
  'brown',
] as const;
export type ColourName = (typeof COLOUR_NAMES)[number];

/** Index into COLOUR_NAMES of one sRGB pixel (0–255 channels), by HSV rules. */
export function colourIndex(r: number, g: number, b: number): number {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const v = max / 255;
  const s = max === 0 ? 0 : (max - min) / max;
  if (v < 0.18) return 0; // black
  if (s < 0.18 || max - min < 20) return v > 0.82 ? 1 : 2; // white or grey
  let h: number;
  if (max === r) h = ((g - b) / (max - min) + 6) % 6;
  else if (max === g) h = (b - r) / (max - min) + 2;
  else h = (r - g) / (max - min) + 4;
  h *= 60;
  if (h < 15 || h >= 345) return v < 0.55 && s > 0.4 ? 11 : s < 0.55 && v > 0.75 ? 10 : 3;
  if (h < 40) return v < 0.6 ? 11 : 4; // dark orange reads as brown
  if (h < 70) return v < 0.5 ? 11 : 5;
  if (h < 160) return 6;
  if (h < 195) return 7;
  if (h < 255) return 8;
  if (h < 290) return 9;
  return 10; // magenta through rose
}

/** Relative luminance proxy (Rec. 601 luma), 0–1. */
export function luma(r: number, g: number, b: number): number {
  return (0.299 * r + 0.587 * g + 0.114 * b) / 255;
}
