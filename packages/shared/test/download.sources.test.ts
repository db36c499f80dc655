import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Downloader, SourceFileError, UnsupportedSourceError, type FileOutcome } from '@bootsync/shared/download';
import { ContentStore } from '@bootsync/shared/store';
import { servePayloads, type PayloadFile, type ServedPayloads } from '@bootsync/testkit/http';

let served: ServedPayloads;
let store: ContentStore;
let downloader: Downloader;
const file = (i: number): PayloadFile => served.files[i] as PayloadFile;

beforeAll(async () => {
  served = await servePayloads([150_000, 60_000]);
});
afterAll(() => served.close());
beforeEach(async () => {
  store = new ContentStore({ root: await mkdtemp(path.join(served.dir, 'store-')) });
  downloader = new Downloader({ store, retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 } });
});
afterEach(async () => {
  await downloader.close();
  await rm(store.root, { recursive: true, force: true });
});

const failure = (o: FileOutcome | undefined): Error => {
  if (o === undefined || o.ok) throw new Error('expected a failed outcome');
  return o.error;
};

describe('Downloader: sources other than a plain http URL with sha256', () => {
  it('copies file:// URLs and plain paths through the same verified path', async () => {
    const outcomes = await downloader.download([
      { url: pathToFileURL(file(0).file).href, size: file(0).size, checksums: { sha256: file(0).sha256 } },
      { url: path.relative(process.cwd(), file(1).file), size: file(1).size, checksums: { sha256: file(1).sha256 } },
    ]);
    expect(outcomes).toMatchObject([
      { ok: true, sha256: file(0).sha256, fetched: file(0).size },
      { ok: true, sha256: file(1).sha256, fetched: file(1).size },
    ]);
    expect(await store.verify(file(0).sha256)).toBe(true);
    expect(await store.verify(file(1).sha256)).toBe(true);
  });

  it('stores items with md5 or sha512 only under the sha256 computed on the way', async () => {
    const outcomes = await downloader.download([
      { url: served.urlOf(file(0)), size: file(0).size, checksums: { md5: file(0).md5 } },
      { url: served.urlOf(file(1)), size: file(1).size, checksums: { sha512: file(1).sha512 } },
    ]);
    expect(outcomes).toMatchObject([
      { ok: true, sha256: file(0).sha256 },
      { ok: true, sha256: file(1).sha256 },
    ]);
    expect((await store.list()).sort()).toEqual([file(0).sha256, file(1).sha256].sort());
  });

  it('skips a file already in the store without a request', async () => {
    await store.putFile(file(0).file, { checksums: { sha256: file(0).sha256 } });
    const seen = served.requestsFor(file(0)).length;
    const [outcome] = await downloader.download([
      { url: served.urlOf(file(0)), size: file(0).size, checksums: { sha256: file(0).sha256 } },
    ]);
    expect(outcome).toMatchObject({ ok: true, fetched: 0, resumedFrom: file(0).size });
    expect(served.requestsFor(file(0)).length).toBe(seen);
  });

  it('fails a missing local file and an unknown scheme on their own, leaving the others alone', async () => {
    const outcomes = await downloader.download([
      { url: path.join(served.dir, 'missing.bin'), size: 10, checksums: { md5: '0'.repeat(32) } },
      { url: 'ftp://mirror.example/file.bin', size: 10, checksums: { md5: '1'.repeat(32) } },
      { url: served.urlOf(file(1)), size: file(1).size, checksums: { sha256: file(1).sha256 } },
    ]);
    expect(failure(outcomes[0])).toBeInstanceOf(SourceFileError);
    expect(failure(outcomes[0]).message).toContain('missing.bin');
    expect(failure(outcomes[1])).toBeInstanceOf(UnsupportedSourceError);
    expect(outcomes[2]).toMatchObject({ ok: true, sha256: file(1).sha256 });
  });
});
