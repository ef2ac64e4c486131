import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { dirname, join, normalize, sep } from 'node:path';

/** Where large payloads (images, long texts, batch files) live; Redis keeps references. */
export interface BlobStore {
  put(key: string, data: Buffer | string): Promise<void>;
  get(key: string): Promise<Buffer>;
  delete(key: string): Promise<void>;
  /** Deletes every blob under a key prefix (a day folder, a tenant). */
  deletePrefix(prefix: string): Promise<void>;
  /** Lists the first-level names under a prefix. */
  list(prefix: string): Promise<string[]>;
  /** Streams a blob from a byte offset, so large files never sit whole in memory. */
  openRead(key: string, start?: number): Promise<Readable>;
}

/** A local directory: the default for development and single-host installs. */
export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private path(key: string): string {
    const p = normalize(join(this.root, key));
    if (!p.startsWith(normalize(this.root) + sep))
      throw new Error(`Blob key escapes the store: ${key}`);
    return p;
  }

  async put(key: string, data: Buffer | string): Promise<void> {
    const p = this.path(key);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, data);
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.path(key));
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.path(prefix), { recursive: true, force: true });
  }

  async openRead(key: string, start = 0): Promise<Readable> {
    const stream = createReadStream(this.path(key), { start });
    // Surface a missing file here rather than on the first read.
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  }

  async list(prefix: string): Promise<string[]> {
    try {
      return await readdir(this.path(prefix));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }
}
