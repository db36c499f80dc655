import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentTooLargeError, readLocation } from '@bootsync/shared/source';
import { readMirror } from '@bootsync/shared/streams';
import { createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';

const MiB = 2 ** 20;
let dir: string;
let server: Server;
let base: string;
let mirror: GeneratedMirror;

/** `/sized/N`: N bytes with Content-Length; `/chunked/N`: N bytes without one, as a streaming server sends. */
function serve(): Server {
  return createServer((req, res) => {
    const [, kind, n] = (req.url ?? '').split('/');
    const size = Number(n);
    if (kind === 'sized') res.setHeader('content-length', String(size));
    res.writeHead(200);
    let left = size;
    const more = (): void => {
      while (left > 0 && !res.destroyed) {
        const piece = Buffer.alloc(Math.min(left, 64 * 1024), 0x78);
        left -= piece.length;
        if (!res.write(piece)) return void res.once('drain', more);
      }
      res.end();
    };
    more();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bootsync-max-size-'));
  mirror = await createSignedMirror(path.join(dir, 'mirror'), { arches: ['amd64'], versions: ['20250618'] });
  server = serve();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('readLocation: documents larger than maxBytes are refused before they are held whole', () => {
  it('refuses from the Content-Length, naming the URL, the size and the limit', async () => {
    const url = `${base}/sized/${2 * MiB}`;
    const refused = readLocation(url, { maxBytes: MiB });
    await expect(refused).rejects.toBeInstanceOf(DocumentTooLargeError);
    await expect(refused).rejects.toMatchObject({ code: 'SS_ERR_TOO_LARGE', location: url, size: 2 * MiB, sizeKnown: true, limit: MiB });
    await expect(refused).rejects.toThrow(`${url}: document is ${2 * MiB} bytes, over the limit of ${MiB} bytes (--max-document-size)`);
  });

  it('refuses a body without Content-Length once the bytes read pass the limit', async () => {
    const url = `${base}/chunked/${3 * MiB}`;
    await expect(readLocation(url, { maxBytes: MiB })).rejects.toMatchObject({ code: 'SS_ERR_TOO_LARGE', sizeKnown: false, limit: MiB });
    await expect(readLocation(url, { maxBytes: MiB })).rejects.toThrow(`document is more than ${MiB} bytes`);
  });

  it('reads a document of exactly the limit, either way', async () => {
    expect((await readLocation(`${base}/sized/${MiB}`, { maxBytes: MiB })).length).toBe(MiB);
    expect((await readLocation(`${base}/chunked/${MiB}`, { maxBytes: MiB })).length).toBe(MiB);
  });

  it('refuses a local file from its size', async () => {
    const file = path.join(dir, 'big.json');
    await writeFile(file, Buffer.alloc(MiB + 1, 0x20));
    await expect(readLocation(file, { maxBytes: MiB })).rejects.toMatchObject({ code: 'SS_ERR_TOO_LARGE', location: file, size: MiB + 1 });
    expect((await readLocation(file, { maxBytes: MiB + 1 })).length).toBe(MiB + 1);
  });

  it('holds for every document of a mirror read: the signed index is refused before its signature is checked', async () => {
    const index = path.join(mirror.root, 'streams/v1/index.sjson');
    await expect(readMirror(mirror.root, { verify: false, maxBytes: 100 })).rejects.toMatchObject({ code: 'SS_ERR_TOO_LARGE', location: index });
    const read = await readMirror(mirror.root, { verify: false });
    expect(read.items.length).toBeGreaterThan(0);
  });
});
