/**
 * Google Cloud Vision test server: `POST /v1/images:annotate` with the key in
 * `x-goog-api-key`; LABEL_DETECTION answers labels (Cat 0.98, Felidae 0.93, Dog 0.71),
 * TEXT_DETECTION and DOCUMENT_TEXT_DETECTION answer "HELLO GATEWAY\n2026"; Google's error
 * bodies, and a per-image error inside a 200 as variant `scriptError(200, 'bad_image')`.
 * Bodies come from the fixtures in `libs/providers/src/google-vision/fixtures`.
 *
 *   const server = await startGoogleVisionServer();
 *   const provider = { id: 'vision', type: 'google-vision', baseUrl: server.baseUrl, apiKey: 'k' };
 *   server.requests[0].body.requests[0].features; // [{ type: 'LABEL_DETECTION', maxResults: 50 }]
 */
import labelsFixture from '../../../libs/providers/src/google-vision/fixtures/annotate-labels.json';
import textFixture from '../../../libs/providers/src/google-vision/fixtures/annotate-text.json';
import errorFixtures from '../../../libs/providers/src/google-vision/fixtures/errors.json';
import {
  startVendorServer,
  type RecordedRequest,
  type ScriptedResponse,
  type VendorServer,
  errorFixture,
} from './vendor-server';

function error(status: number, variant?: string): ScriptedResponse {
  const json = errorFixture<unknown>(errorFixtures, status, variant);
  return { status, json };
}

function respond(req: RecordedRequest): ScriptedResponse {
  if (req.method !== 'POST' || req.path !== '/v1/images:annotate') return error(404);
  const feature = req.body?.requests?.[0]?.features?.[0]?.type;
  if (feature === 'LABEL_DETECTION') return { json: labelsFixture };
  if (feature === 'TEXT_DETECTION' || feature === 'DOCUMENT_TEXT_DETECTION')
    return { json: textFixture };
  return error(400);
}

export type GoogleVisionServer = VendorServer & { readonly baseUrl: string };

export async function startGoogleVisionServer(): Promise<GoogleVisionServer> {
  const server = await startVendorServer({
    respond,
    error,
    keyOf: (req) => req.headers['x-goog-api-key'] as string | undefined,
    rejectedKey: () => error(400, 'api_key_invalid'),
  });
  return Object.assign(server, { baseUrl: server.url });
}
