import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BlobNotFoundError,
  ChecksumMismatchError,
  ContentStore,
  InsufficientSpaceError,
  InvalidDigestError,
  SizeMismatchError,
} from '@bootsync/shared/store';
import { writePayload, type PayloadFile } from '@bootsync/testkit/http';

const ref = { contentId: 'com.ubuntu.maas:stable:v3:download', product: 'p', version: '20250701', item: 'squashfs' };
let dir: string;
let store: ContentStore;
let a: PayloadFile;
let b: PayloadFile;
let c: PayloadFile;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bst-store-'));
  store = new ContentStore({ root: path.join(dir, 'store') });
  a = await writePayload(dir, 'a.bin', 200_000);
  b = await writePayload(dir, 'b.bin', 50_000);
  c = await writePayload(dir, 'c.bin', 1_000);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function partialFiles(): Promise<string[]> {
  return readdir(path.join(store.root, 'partial')).catch(() => []);
}

describe('ContentStore: publishing', () => {
  it('stores a file under sha256/<2 hex>/<64 hex> and serves it whole and by range', async () => {
    const blob = await store.putFile(a.file, { checksums: { sha256: a.sha256 }, size: a.size, ref });
    expect(blob).toEqual({ sha256: a.sha256, size: a.size, path: path.join(store.root, 'sha256', a.sha256.slice(0, 2), a.sha256) });
    expect((await readFile(blob.path)).equals(a.bytes)).toBe(true);
    expect(await store.has(a.sha256)).toBe(true);
    expect(await store.size(a.sha256)).toBe(a.size);
    expect(await store.list()).toEqual([a.sha256]);
    const chunks: Buffer[] = [];
    for await (const c of await store.open(a.sha256, { start: 100, end: 199 })) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(a.bytes.subarray(100, 200))).toBe(true);
    expect(await partialFiles()).toEqual([]);
  });

  it.each([
    ['md5 only', (p: PayloadFile) => ({ md5: p.md5 })],
    ['sha512 only', (p: PayloadFile) => ({ sha512: p.sha512 })],
  ])('stores an item with %s under the sha256 computed on the way', async (_label, checksums) => {
    const blob = await store.importFrom(Readable.from([a.bytes.subarray(0, 1000), a.bytes.subarray(1000)]), {
      checksums: checksums(a),
      size: a.size,
    });
    expect(blob.sha256).toBe(a.sha256);
    expect(await store.verify(a.sha256)).toBe(true);
  });

  it('refuses wrong bytes: names item, algorithm, expected and actual; publishes nothing; keeps good blobs', async () => {
    await store.putFile(b.file, { checksums: { sha256: b.sha256 }, size: b.size });
    const claimed = { sha256: a.sha256, sha512: a.sha512 };
    const err = await store
      .putFile(b.file, { checksums: { sha512: a.sha512 }, size: b.size, ref })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect(err).toMatchObject({ code: 'STORE_CHECKSUM_MISMATCH', ref, algorithm: 'sha512', expected: a.sha512, actual: b.sha512 });
    expect((err as Error).message).toContain('com.ubuntu.maas:stable:v3:download/p/20250701/squashfs');
    const sha256Err = await store.importFrom(Readable.from([b.bytes]), { checksums: claimed, size: b.size }).catch((e: unknown) => e);
    expect(sha256Err).toMatchObject({ algorithm: 'sha256', expected: a.sha256, actual: b.sha256 });
    expect(await store.list()).toEqual([b.sha256]);
    expect(await store.verify(b.sha256)).toBe(true);
    expect(await partialFiles()).toEqual([]);
  });

  it('refuses a file of the wrong size', async () => {
    const err = await store.putFile(a.file, { checksums: { sha256: a.sha256 }, size: a.size + 1, ref }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SizeMismatchError);
    expect(err).toMatchObject({ expected: a.size + 1, actual: a.size });
    expect(await store.has(a.sha256)).toBe(false);
  });

  it('names the missing blob and its path when asked to open one it does not hold', async () => {
    const err = await store.open(a.sha256).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobNotFoundError);
    expect(err).toMatchObject({ code: 'STORE_BLOB_NOT_FOUND', sha256: a.sha256, path: store.pathOf(a.sha256) });
    expect(await store.size(a.sha256)).toBeUndefined();
  });

  it('never turns a digest into a path outside the store', () => {
    for (const bad of ['../../etc/passwd', a.sha256.toUpperCase(), `${a.sha256}/..`, 'ab']) {
      expect(() => store.pathOf(bad)).toThrow(InvalidDigestError);
    }
  });
});

describe('ContentStore: partial files', () => {
  it('keeps a closed partial with its validator and resumes it, hashing the bytes already there', async () => {
    const expected = { checksums: { sha256: a.sha256 }, size: a.size };
    const first = await store.partial(expected);
    await first.setValidator('"etag-1"');
    await first.append(a.bytes.subarray(0, 70_000));
    await first.close();

    const second = await store.partial(expected);
    expect(second.offset).toBe(70_000);
    expect(second.validator).toBe('"etag-1"');
    await second.append(a.bytes.subarray(70_000));
    const blob = await second.finalize();
    expect(blob.sha256).toBe(a.sha256);
    expect(await store.verify(a.sha256)).toBe(true);
    expect(await partialFiles()).toEqual([]);
  });

  it('lets the next writer of an item in only once the first has published it, never to the file being moved', async () => {
    const expected = { checksums: { sha256: a.sha256 }, size: a.size };
    const first = await store.partial(expected);
    await first.append(a.bytes);
    const second = store.partial(expected);
    // Another store of the same root in this process (the region's uploads beside its import) waits just the same.
    const third = new ContentStore({ root: store.root }).partial(expected);
    expect((await first.finalize()).sha256).toBe(a.sha256);
    // Each in the order it gets the partial (their directory checks finish in any order, so may their turns): the
    // one that waits is let in once the other lets go.
    await Promise.all(
      [second, third].map(async (waiting) => {
        const next = await waiting;
        expect(next.offset).toBe(0);
        await next.discard();
      }),
    );
    expect(await store.verify(a.sha256)).toBe(true);
    expect(await partialFiles()).toEqual([]);
  });

  it('gives one writer at a time the partial of an item', async () => {
    const expected = { checksums: { sha256: a.sha256 }, size: a.size };
    const first = await store.partial(expected);
    let secondOpened = false;
    const second = store.partial(expected).then((p) => {
      secondOpened = true;
      return p;
    });
    // A partial of another item, asked for after the second: once it is open, the second would be too, were it
    // not waiting for the first to let go.
    const other = await store.partial({ checksums: { sha256: b.sha256 }, size: b.size });
    await other.discard();
    expect(secondOpened).toBe(false);
    await first.append(a.bytes.subarray(0, 10));
    await first.close();
    const p = await second;
    expect(p.offset).toBe(10);
    await p.discard();
    expect(await partialFiles()).toEqual([]);
  });
});

describe('ContentStore: upkeep', () => {
  it('verify notices a blob whose bytes changed on disk', async () => {
    const blob = await store.putFile(a.file, { checksums: { sha256: a.sha256 } });
    expect(await store.verify(a.sha256)).toBe(true);
    await writeFile(blob.path, b.bytes);
    expect(await store.verify(a.sha256)).toBe(false);
  });

  it('gc removes every blob not live and keeps the live ones and the partials', async () => {
    await store.putFile(a.file, { checksums: { sha256: a.sha256 } });
    await store.putFile(b.file, { checksums: { sha256: b.sha256 } });
    const pending = await store.partial({ checksums: { md5: a.md5 } });
    await pending.append(a.bytes.subarray(0, 5));
    await pending.close();
    const result = await store.gc(new Set([a.sha256]));
    expect(result).toEqual({ removed: [b.sha256], partials: [], bytes: b.size });
    expect(await store.list()).toEqual([a.sha256]);
    expect(await partialFiles()).toHaveLength(1);
  });

  it('gc with the wanted files deletes the partials of unwanted items and resumes the wanted ones where they were', async () => {
    const started = async (p: PayloadFile, bytes: number): Promise<void> => {
      const partial = await store.partial({ checksums: { sha256: p.sha256 }, size: p.size, ref });
      await partial.setValidator('"v1"');
      await partial.append(p.bytes.subarray(0, bytes));
      await partial.close();
    };
    await started(a, 120_000);
    await started(b, 30_000);
    const noSha256 = await store.partial({ checksums: { md5: a.md5 } });
    await noSha256.append(a.bytes.subarray(0, 5));
    await noSha256.close();
    const writing = await store.partial({ checksums: { sha256: c.sha256 }, size: c.size });
    await writing.append(c.bytes.subarray(0, 10));

    const result = await store.gc(new Set(), { wantedPartials: new Set([a.sha256]) });

    // b is no longer wanted; c is being written; the md5-keyed one cannot be matched, so it stays.
    const metaBytes = JSON.stringify({ validator: '"v1"' }).length;
    expect(result).toEqual({ removed: [], partials: [`sha256-${b.sha256}`], bytes: 30_000 + metaBytes });
    expect((await partialFiles()).sort()).toEqual(
      [`sha256-${a.sha256}.part`, `sha256-${a.sha256}.meta.json`, `sha256-${c.sha256}.part`, `md5-${a.md5}.part`].sort(),
    );
    const resumed = await store.partial({ checksums: { sha256: a.sha256 }, size: a.size, ref });
    expect([resumed.offset, resumed.validator]).toEqual([120_000, '"v1"']);
    await resumed.append(a.bytes.subarray(120_000));
    expect((await resumed.finalize()).sha256).toBe(a.sha256);
    await writing.append(c.bytes.subarray(10));
    expect((await writing.finalize()).sha256).toBe(c.sha256);
  });

  it('gc with the wanted files deletes upload partials nothing writes, and keeps one another store of the root writes', async () => {
    // What a region killed mid-POST leaves: the partial of an image posted whole, no writer holding it.
    const stray = 'upload-0b5e6f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
    await mkdir(path.join(store.root, 'partial'), { recursive: true });
    await writeFile(path.join(store.root, 'partial', `${stray}.part`), b.bytes);
    // The region's uploads have a store of their own beside the import's: one is being posted now.
    const uploads = new ContentStore({ root: store.root });
    const writing = await uploads.unaddressedPartial();
    await writing.append(c.bytes.subarray(0, 10));

    const result = await store.gc(new Set(), { wantedPartials: new Set() });

    expect(result).toEqual({ removed: [], partials: [stray], bytes: b.size });
    expect(await partialFiles()).toEqual([path.basename(writing.path)]);
    await writing.append(c.bytes.subarray(10));
    expect(await writing.finalize()).toMatchObject({ sha256: c.sha256, size: c.size });
    // Without the wanted files, gc keeps every partial, as before.
    await writeFile(path.join(store.root, 'partial', `${stray}.part`), b.bytes);
    expect((await store.gc(new Set([c.sha256]))).partials).toEqual([]);
    expect(await partialFiles()).toEqual([`${stray}.part`]);
  });

  it('ensureFreeSpace names what is needed, what is available, and where', async () => {
    await store.ensureFreeSpace(1024);
    const needed = 2 ** 60;
    const err = await store.ensureFreeSpace(needed).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientSpaceError);
    expect(err).toMatchObject({ code: 'STORE_INSUFFICIENT_SPACE', needed, path: store.root });
    expect((err as InsufficientSpaceError).available).toBeGreaterThan(0);
    expect((err as InsufficientSpaceError).available).toBeLessThan(needed);
  });
});
