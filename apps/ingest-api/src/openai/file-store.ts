import { getMany } from '@gateway/storage';
import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import type { GatewayContext } from '@gateway/platform';
import { OpenAiHttpError } from './openai-error';

/** OpenAI's file object, plus where the bytes are (never shown to clients). */
export interface StoredFile {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: 'processed';
  status_details: null;
  expires_at: null;
  tenantId: string;
  /** Blob keys whose concatenation is the content (batch outputs are written in parts). */
  parts: string[];
  /** Requests in a batch input file. */
  lines?: number;
}

export type PublicFile = Omit<StoredFile, 'tenantId' | 'parts' | 'lines'>;

export function publicFile(f: StoredFile): PublicFile {
  const { tenantId: _t, parts: _p, lines: _l, ...rest } = f;
  return rest;
}

export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

/** File metadata in Redis (per tenant), bytes behind the blob store. */
export class FileStore {
  constructor(private readonly ctx: GatewayContext) {}

  private key(id: string): string {
    return `${this.ctx.keys.prefix}:oai:file:${id}`;
  }
  private index(tenantId: string): string {
    return `${this.ctx.keys.prefix}:oai:files:${tenantId}`;
  }

  /** Stores bytes as a new file of the tenant. */
  async create(
    tenantId: string,
    meta: { filename: string; purpose: string; lines?: number },
    data: Buffer | string,
  ): Promise<StoredFile> {
    const id = newId('file');
    const blob = `openai/files/${tenantId}/${id}`;
    await this.ctx.blobs.put(blob, data);
    return this.register(tenantId, {
      id,
      filename: meta.filename,
      purpose: meta.purpose,
      lines: meta.lines,
      parts: [blob],
      bytes: Buffer.byteLength(data),
    });
  }

  /** Records a file whose parts are already in the blob store (batch output). */
  async register(
    tenantId: string,
    f: Pick<StoredFile, 'id' | 'filename' | 'purpose' | 'parts' | 'bytes' | 'lines'>,
  ): Promise<StoredFile> {
    const now = Date.now();
    const file: StoredFile = {
      ...f,
      object: 'file',
      created_at: Math.floor(now / 1000),
      status: 'processed',
      status_details: null,
      expires_at: null,
      tenantId,
    };
    // Two slots: the file first, then the tenant's index (a crash between leaves a file no
    // list shows, its id never handed out).
    await this.ctx.redis.set(this.key(file.id), JSON.stringify(file));
    await this.ctx.redis.zadd(this.index(tenantId), now, file.id);
    return file;
  }

  /** The tenant's file, or 404: another tenant's id is indistinguishable from none. */
  async get(tenantId: string, id: string): Promise<StoredFile> {
    const raw = /^file-[A-Za-z0-9]{1,40}$/.test(id) ? await this.ctx.redis.get(this.key(id)) : null;
    const f = raw ? (JSON.parse(raw) as StoredFile) : null;
    if (!f || f.tenantId !== tenantId)
      throw new OpenAiHttpError(
        404,
        'invalid_request_error',
        'not_found',
        `No such file: ${id}`,
        'file_id',
      );
    return f;
  }

  async list(tenantId: string, limit: number, purpose?: string): Promise<StoredFile[]> {
    const ids = await this.ctx.redis.zrevrange(
      this.index(tenantId),
      0,
      Math.min(limit, 10_000) - 1,
    );
    if (!ids.length) return [];
    const raws = await getMany(
      this.ctx.redis,
      ids.map((i) => this.key(i)),
    );
    return raws
      .filter((r): r is string => r !== null)
      .map((r) => JSON.parse(r) as StoredFile)
      .filter((f) => !purpose || f.purpose === purpose);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const f = await this.get(tenantId, id);
    // Two slots: the file goes first (lists skip index entries that resolve to nothing).
    await this.ctx.redis.del(this.key(id));
    await this.ctx.redis.zrem(this.index(tenantId), id);
    for (const p of f.parts) await this.ctx.blobs.delete(p);
  }

  /** The content as one stream over the parts, read one part at a time. */
  content(f: StoredFile): Readable {
    const out = new PassThrough();
    void (async () => {
      try {
        for (const p of f.parts) {
          const part = await this.ctx.blobs.openRead(p);
          for await (const chunk of part) if (!out.write(chunk)) await waitDrain(out);
        }
        out.end();
      } catch (e) {
        out.destroy(e as Error);
      }
    })();
    return out;
  }
}

function waitDrain(s: PassThrough): Promise<void> {
  return new Promise((r) => s.once('drain', () => r()));
}
