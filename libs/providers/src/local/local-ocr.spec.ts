import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ProviderError } from '../provider-error';
import { imageOcr, OcrEngine, tidyOcrText } from './local-ocr';
import { solidPng, textPng } from './local-test-support';

const ocr = new OcrEngine();
after(() => ocr.close());

describe('image.ocr', () => {
  it('reads the text of a rendered PNG, offline', async () => {
    const { text } = await imageOcr({ image: await textPng('HELLO GATEWAY 2026') }, ocr);
    assert.equal(text, 'HELLO GATEWAY 2026');
  });

  it('reuses one worker for concurrent calls', async () => {
    const [a, b] = await Promise.all([
      imageOcr({ image: await textPng('INVOICE 42') }, ocr),
      imageOcr({ image: await textPng('PAID IN FULL') }, ocr),
    ]);
    assert.equal(a.text, 'INVOICE 42');
    assert.equal(b.text, 'PAID IN FULL');
  });

  it('returns empty text for an image without text', async () => {
    const { text } = await imageOcr(
      { image: await solidPng(200, 80, { r: 255, g: 255, b: 255 }) },
      ocr,
    );
    assert.equal(text, '');
  });

  it('starts a new worker after close()', async () => {
    await ocr.close();
    const { text } = await imageOcr({ image: await textPng('AGAIN') }, ocr);
    assert.equal(text, 'AGAIN');
  });

  it('refuses undecodable bytes with invalid_request before reaching the engine', async () => {
    await assert.rejects(
      imageOcr(
        { image: { base64: Buffer.from('nope').toString('base64'), mediaType: 'image/png' } },
        ocr,
      ),
      (e: unknown) => e instanceof ProviderError && e.code === 'invalid_request',
    );
  });
});

describe('tidyOcrText', () => {
  it('drops trailing spaces and extra blank lines', () => {
    assert.equal(tidyOcrText('a  \n\n\n\nb \n'), 'a\n\nb');
  });
});
