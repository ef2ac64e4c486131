import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { S3BlobStore } from './s3-blob-store';

/**
 * A minimal path-style S3 stand-in: PUT/GET (with Range)/DELETE object and ListObjectsV2.
 * It checks that requests are SigV4-signed but not the signature itself, so this proves the
 * adapter's request shapes and response parsing, not compatibility with a real S3 server.
 */
function s3Stub(): { server: Server; objects: Map<string, Buffer>; seen: string[] } {
  const objects = new Map<string, Buffer>();
  const seen: string[] = [];
  const body = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => resolve(Buffer.concat(parts)));
    });
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url!, 'http://x');
      seen.push(`${req.method} ${url.pathname}`);
      if (!String(req.headers.authorization).startsWith('AWS4-HMAC-SHA256 ')) {
        res.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>');
        return;
      }
      const [, bucket, ...rest] = url.pathname.split('/');
      const key = decodeURIComponent(rest.join('/'));
      if (bucket !== 'bkt') {
        res.writeHead(404).end('<Error><Code>NoSuchBucket</Code></Error>');
        return;
      }
      if (req.method === 'PUT') {
        objects.set(key, await body(req));
        res.writeHead(200, { etag: '"x"' }).end();
      } else if (req.method === 'DELETE') {
        objects.delete(key);
        res.writeHead(204).end();
      } else if (req.method === 'GET' && url.searchParams.get('list-type') === '2') {
        const prefix = url.searchParams.get('prefix') ?? '';
        const delim = url.searchParams.get('delimiter');
        const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
        const common = new Set<string>();
        const contents: string[] = [];
        for (const k of keys) {
          const restKey = k.slice(prefix.length);
          if (delim && restKey.includes(delim))
            common.add(prefix + restKey.slice(0, restKey.indexOf(delim) + 1));
          else contents.push(k);
        }
        const xml =
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bkt</Name>` +
          `<Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>` +
          contents.map((k) => `<Contents><Key>${k}</Key><Size>1</Size></Contents>`).join('') +
          [...common]
            .map((p) => `<CommonPrefixes><Prefix>${p}</Prefix></CommonPrefixes>`)
            .join('') +
          `</ListBucketResult>`;
        res.writeHead(200, { 'content-type': 'application/xml' }).end(xml);
      } else if (req.method === 'GET') {
        const obj = objects.get(key);
        if (!obj) {
          res
            .writeHead(404, { 'content-type': 'application/xml' })
            .end('<Error><Code>NoSuchKey</Code><Message>missing</Message></Error>');
          return;
        }
        const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
        const start = range ? Number(range[1]) : 0;
        res.writeHead(range ? 206 : 200, { 'content-length': obj.length - start });
        res.end(obj.subarray(start));
      } else res.writeHead(405).end();
    })();
  });
  return { server, objects, seen };
}

describe('S3BlobStore against a local S3 stand-in', () => {
  const stub = s3Stub();
  let store: S3BlobStore;
  before(async () => {
    await new Promise<void>((r) => stub.server.listen(0, '127.0.0.1', r));
    const port = (stub.server.address() as AddressInfo).port;
    store = new S3BlobStore({
      bucket: 'bkt',
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      prefix: 'gw',
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret-example',
    });
  });
  after(() => {
    store.close();
    stub.server.close();
  });

  it('puts, gets and deletes under the prefix, path-style', async () => {
    await store.put('files/a.jsonl', '{"a":1}\n');
    assert.deepEqual([...stub.objects.keys()], ['gw/files/a.jsonl']);
    assert.ok(stub.seen.includes('PUT /bkt/gw/files/a.jsonl'));
    assert.equal((await store.get('files/a.jsonl')).toString(), '{"a":1}\n');
    await store.delete('files/a.jsonl');
    await assert.rejects(store.get('files/a.jsonl'), (e: NodeJS.ErrnoException) => {
      return e.code === 'ENOENT';
    });
  });

  it('streams from a byte offset with a Range request', async () => {
    await store.put('big.txt', Buffer.from('0123456789'));
    const chunks: Buffer[] = [];
    for await (const c of await store.openRead('big.txt', 4)) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), '456789');
  });

  it('lists first-level names and deletes a prefix', async () => {
    await store.put('b/1/x', 'x');
    await store.put('b/1/y', 'y');
    await store.put('b/2', 'z');
    assert.deepEqual((await store.list('b')).sort(), ['1', '2']);
    await store.deletePrefix('b/1');
    assert.deepEqual(await store.list('b'), ['2']);
  });

  it('refuses keys that climb out of the prefix', async () => {
    await assert.rejects(store.put('../etc', 'x'), /escapes the store/);
  });
});
