import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import type { BlobStore } from './blob-store';

/** Where an S3-compatible store is and how to sign for it. */
export interface S3BlobStoreOptions {
  readonly bucket: string;
  readonly region: string;
  /** Custom endpoint (MinIO, Ceph, R2...); omit for AWS itself. */
  readonly endpoint?: string;
  /** Path-style URLs (`host/bucket/key`), which most self-hosted stores need. */
  readonly forcePathStyle?: boolean;
  /** Key prefix inside the bucket, so one bucket can serve several installs. */
  readonly prefix?: string;
  /** Static credentials; when absent the SDK's default chain (env, profile, role) applies. */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
}

/** Thrown for a missing blob, with the same `code` as the local store's fs error. */
function notFound(key: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`No blob ${key}`);
  e.code = 'ENOENT';
  return e;
}

function isMissing(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e instanceof NoSuchKey || err?.name === 'NoSuchKey' || err?.$metadata?.httpStatusCode === 404
  );
}

/** An S3-compatible bucket: the production blob store. */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly prefix: string;

  constructor(private readonly opts: S3BlobStoreOptions) {
    this.client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      forcePathStyle: opts.forcePathStyle ?? Boolean(opts.endpoint),
      credentials:
        opts.accessKeyId && opts.secretAccessKey
          ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey }
          : undefined,
      // Many S3-compatible servers reject the newer default checksum headers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.prefix = opts.prefix ? `${opts.prefix.replace(/\/+$/, '')}/` : '';
  }

  private key(key: string): string {
    if (key.split('/').some((p) => p === '..' || p === '.'))
      throw new Error(`Blob key escapes the store: ${key}`);
    return this.prefix + key.replace(/^\/+/, '');
  }

  async put(key: string, data: Buffer | string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key), Body: data }),
    );
  }

  async get(key: string): Promise<Buffer> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key) }),
      );
      if (!res.Body) return Buffer.alloc(0);
      return Buffer.from(await res.Body.transformToByteArray());
    } catch (e) {
      if (isMissing(e)) throw notFound(key);
      throw e;
    }
  }

  async openRead(key: string, start = 0): Promise<Readable> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.opts.bucket,
          Key: this.key(key),
          Range: start > 0 ? `bytes=${start}-` : undefined,
        }),
      );
      const body = res.Body;
      if (!body) return Readable.from([]);
      if (body instanceof Readable) return body;
      return Readable.fromWeb(body.transformToWebStream() as never);
    } catch (e) {
      if (isMissing(e)) throw notFound(key);
      // A range starting at the end of the object answers 416: nothing more to read.
      if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416)
        return Readable.from([]);
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key) }),
    );
  }

  async deletePrefix(prefix: string): Promise<void> {
    const base = this.key(prefix).replace(/\/*$/, '/');
    // Bounded: a prefix with more than 100 pages of objects is cleaned over several calls.
    for (let page = 0, token: string | undefined; page < 100; page++) {
      const res = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.opts.bucket,
          Prefix: base,
          ContinuationToken: token,
        }),
      );
      for (const o of res.Contents ?? []) {
        if (o.Key)
          await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: o.Key }));
      }
      if (!res.IsTruncated) return;
      token = res.NextContinuationToken;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.key(prefix).replace(/\/*$/, '/');
    const names = new Set<string>();
    for (let page = 0, token: string | undefined; page < 100; page++) {
      const res = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.opts.bucket,
          Prefix: base,
          Delimiter: '/',
          ContinuationToken: token,
        }),
      );
      for (const p of res.CommonPrefixes ?? [])
        if (p.Prefix) names.add(p.Prefix.slice(base.length).replace(/\/$/, ''));
      for (const o of res.Contents ?? []) if (o.Key) names.add(o.Key.slice(base.length));
      if (!res.IsTruncated) break;
      token = res.NextContinuationToken;
    }
    return [...names];
  }

  close(): void {
    this.client.destroy();
  }
}
