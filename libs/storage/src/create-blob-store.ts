import { mkdirSync } from 'node:fs';
import { LocalBlobStore, type BlobStore } from './blob-store';
import { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store';

/** Which blob store an install uses: a local directory (default) or an S3-compatible bucket. */
export type BlobStoreSettings =
  { readonly kind: 'local'; readonly dir: string } | ({ readonly kind: 's3' } & S3BlobStoreOptions);

/** Builds the configured blob store. */
export function createBlobStore(settings: BlobStoreSettings): BlobStore {
  if (settings.kind === 's3') return new S3BlobStore(settings);
  mkdirSync(settings.dir, { recursive: true });
  return new LocalBlobStore(settings.dir);
}
