import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { ProviderError } from '../provider-error';
import { imageStats } from './local-image';
import { solidPng, textPng } from './local-test-support';
import { imageCaption, imageClassify } from './local-vision';

function isInvalidRequest(e: unknown): boolean {
  return e instanceof ProviderError && e.code === 'invalid_request' && !e.retryable;
}

describe('image statistics', () => {
  it('names red as the dominant colour of a red PNG', async () => {
    const s = await imageStats(await solidPng(300, 100, { r: 220, g: 20, b: 30 }));
    assert.equal(s.width, 300);
    assert.equal(s.height, 100);
    assert.equal(s.aspect, 3);
    assert.equal(s.format, 'png');
    assert.equal(s.colours[0]?.name, 'red');
    assert.ok(s.colours[0].share > 0.95);
    assert.ok(s.saturation > 0.8);
    assert.equal(s.edgeDensity, 0);
  });

  it('measures brightness, contrast and edges of a text image', async () => {
    const s = await imageStats(await textPng('HELLO GATEWAY'));
    assert.ok(s.brightness > 0.8, `brightness ${s.brightness}`);
    assert.ok(s.saturation < 0.05);
    assert.ok(s.contrast > 0.1);
    assert.ok(s.edgeDensity > 0.02);
    assert.equal(s.colours[0]?.name, 'white');
  });

  it('decodes JPEG and WebP as well as PNG', async () => {
    const raw = sharp({ create: { width: 40, height: 80, channels: 3, background: '#1040d0' } });
    for (const [format, mediaType] of [
      ['jpeg', 'image/jpeg'],
      ['webp', 'image/webp'],
    ] as const) {
      const buf = await raw.clone().toFormat(format).toBuffer();
      const s = await imageStats({ base64: buf.toString('base64'), mediaType });
      assert.equal(s.colours[0]?.name, 'blue', format);
      assert.equal(s.height, 80);
    }
  });

  it('answers invalid_request for undecodable bytes and for URLs', async () => {
    await assert.rejects(
      imageStats({
        base64: Buffer.from('not an image').toString('base64'),
        mediaType: 'image/png',
      }),
      isInvalidRequest,
    );
    await assert.rejects(imageStats({ url: 'https://example.com/cat.png' }), (e: unknown) => {
      return isInvalidRequest(e) && /inline images only/.test((e as Error).message);
    });
  });
});

describe('image.classify', () => {
  it('scores the default labels from the statistics', async () => {
    const dark = await imageClassify({ image: await solidPng(60, 120, { r: 10, g: 10, b: 20 }) });
    const top = dark.labels.slice(0, 3).map((l) => l.label);
    assert.ok(top.includes('dark'));
    assert.ok(top.includes('portrait'));
    assert.equal(dark.labels.find((l) => l.label === 'bright')?.score, 0);
    const doc = await imageClassify({ image: await textPng('INVOICE 2026') });
    assert.ok(doc.labels.find((l) => l.label === 'document/text')!.score > 0.8);
  });

  it("scores the caller's labels, colours included, best first", async () => {
    const r = await imageClassify({
      image: await solidPng(200, 100, { r: 30, g: 90, b: 220 }),
      labels: ['cat', 'red', 'blue sky', 'square'],
    });
    assert.equal(r.labels[0]?.label, 'blue sky');
    assert.equal(r.labels.find((l) => l.label === 'red')?.score, 0);
    assert.equal(r.labels.find((l) => l.label === 'cat')?.score, 0);
    for (const l of r.labels) assert.ok(l.score >= 0 && l.score <= 1);
  });
});

describe('image.caption', () => {
  it('builds a sentence from the statistics', async () => {
    const { caption } = await imageCaption({
      image: await solidPng(320, 100, { r: 245, g: 245, b: 245 }),
    });
    assert.equal(
      caption,
      'A bright, monochrome, wide image (320×100) almost entirely white, with no visible detail.',
    );
  });

  it('says when an image looks like a document', async () => {
    const { caption } = await imageCaption({ image: await textPng('MEETING NOTES') });
    assert.match(caption, /looks like text or a document/);
  });
});
