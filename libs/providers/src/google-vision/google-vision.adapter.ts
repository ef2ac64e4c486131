import type { ImageInput, TaskInput, TaskName, TaskOutput } from '@gateway/contracts';
import type { ProviderConfig } from '@gateway/config';
import type { AdapterFactory, CallContext, CallResult, ProviderAdapter } from '../provider-adapter';
import { ProviderError } from '../provider-error';
import { malformedResponse } from '../http/errors';
import { readRetryAfterOnly } from '../http/rate-limit-headers';
import { usageOf } from '../http/usage';
import { VendorClient } from '../http/vendor-client';
import { mapVisionError, mapVisionItemError } from './google-vision.errors';
import { AnnotateResponse } from './google-vision.schemas';

export const GOOGLE_VISION_TASKS: ReadonlySet<TaskName> = new Set<TaskName>([
  'image.classify',
  'image.ocr',
]);

function image(i: ImageInput) {
  return 'url' in i ? { source: { imageUri: i.url } } : { content: i.base64 };
}

/**
 * Google Cloud Vision `images:annotate`: LABEL_DETECTION for image.classify, TEXT_DETECTION
 * for image.ocr (DOCUMENT_TEXT_DETECTION when the deployment's model names "document", for
 * dense text). Vision counts no tokens: usage is zero and the price is per image.
 */
export class GoogleVisionAdapter implements ProviderAdapter {
  readonly type = 'google-vision';
  private readonly client: VendorClient;

  constructor(provider: ProviderConfig) {
    this.client = new VendorClient(provider, {
      authorize: (req, key) => {
        if (key) req.headers['x-goog-api-key'] = key;
      },
      mapError: (res) => mapVisionError(res, this.label),
      readRateLimit: readRetryAfterOnly,
    });
  }

  get label(): string {
    return `provider "${this.client.config.id}"`;
  }

  private async annotate(img: ImageInput, feature: Record<string, unknown>, ctx: CallContext) {
    const base = (this.client.config.baseUrl ?? 'https://vision.googleapis.com').replace(
      /\/+$/,
      '',
    );
    const body = { requests: [{ image: image(img), features: [feature] }] };
    const { data, rateLimit } = await this.client.json(
      { url: `${base}/v1/images:annotate`, body },
      ctx,
      AnnotateResponse,
    );
    const first = data.responses[0];
    if (!first) throw malformedResponse(this.label, 'no responses');
    if (first.error && first.error.code) throw mapVisionItemError(first.error, this.label);
    return { first, rateLimit };
  }

  async call<T extends TaskName>(
    task: T,
    input: TaskInput<T>,
    ctx: CallContext,
  ): Promise<CallResult<T>> {
    let output: TaskOutput<'image.classify'> | TaskOutput<'image.ocr'>;
    let rateLimit;
    if (task === 'image.classify') {
      const i = input as TaskInput<'image.classify'>;
      const r = await this.annotate(
        i.image,
        { type: 'LABEL_DETECTION', maxResults: i.labels ? 50 : 10 },
        ctx,
      );
      rateLimit = r.rateLimit;
      const found = (r.first.labelAnnotations ?? []).map((a) => ({
        label: a.description,
        score: a.score ?? 0,
      }));
      // With candidate labels, score each (0 when Vision did not see it), in the caller's spelling.
      const labels = i.labels
        ? i.labels.map((label) => ({
            label,
            score: Math.max(
              0,
              ...found
                .filter((f) => f.label.toLowerCase() === label.toLowerCase())
                .map((f) => f.score),
            ),
          }))
        : found;
      output = { labels: labels.sort((a, b) => b.score - a.score) };
    } else if (task === 'image.ocr') {
      const i = input as TaskInput<'image.ocr'>;
      const type = /document/i.test(ctx.deployment.model)
        ? 'DOCUMENT_TEXT_DETECTION'
        : 'TEXT_DETECTION';
      const r = await this.annotate(i.image, { type }, ctx);
      rateLimit = r.rateLimit;
      const text =
        r.first.fullTextAnnotation?.text ?? r.first.textAnnotations?.[0]?.description ?? '';
      output = { text: text.trimEnd() };
    } else {
      throw new ProviderError(
        'invalid_request',
        `${this.label}: Cloud Vision does not serve "${task}"`,
        {
          retryable: false,
        },
      );
    }
    return {
      output: output as TaskOutput<T>,
      usage: usageOf(0, 0),
      images: 1,
      ...(rateLimit ? { rateLimit } : {}),
    };
  }

  reconfigure(provider: ProviderConfig): void {
    this.client.reconfigure(provider);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export const googleVisionAdapterFactory: AdapterFactory = {
  type: 'google-vision',
  tasks: GOOGLE_VISION_TASKS,
  hasCredentials: (p) => !!p.apiKey || !!p.apiKeys?.length,
  create: (p) => new GoogleVisionAdapter(p),
};
