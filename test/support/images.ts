import sharp from 'sharp';

/** A solid-colour PNG, base64. */
export async function solidPng(
  r: number,
  g: number,
  b: number,
  width = 64,
  height = 48,
): Promise<string> {
  const buf = await sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();
  return buf.toString('base64');
}

/** A PNG with black text on white, rendered from SVG (DejaVu Sans), base64. */
export async function textPng(text: string, width = 640, height = 120): Promise<string> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/><text x="20" y="78" font-family="DejaVu Sans" font-size="48" fill="black">${text}</text></svg>`;
  return (await sharp(Buffer.from(svg)).png().toBuffer()).toString('base64');
}
