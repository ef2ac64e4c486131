import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import labels from './fixtures/annotate-labels.json';
import text from './fixtures/annotate-text.json';
import errors from './fixtures/errors.json';
import { AnnotateResponse } from './google-vision.schemas';
import { mapVisionItemError } from './google-vision.errors';

describe('google-vision fixtures and mappings', () => {
  it('parses the documented response shapes', () => {
    assert.equal(
      AnnotateResponse.parse(labels).responses[0].labelAnnotations?.[0]?.description,
      'Cat',
    );
    assert.equal(
      AnnotateResponse.parse(text).responses[0].fullTextAnnotation?.text,
      'HELLO GATEWAY\n2026\n',
    );
    const item = AnnotateResponse.parse(errors['200_bad_image']).responses[0].error!;
    assert.equal(mapVisionItemError(item, 'p').code, 'invalid_request');
  });
});
