import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Downloader, type DownloadProgress, type FileOutcome, type FileRequest } from '@bootsync/shared/download';
import { ContentStore } from '@bootsync/shared/store';
import { servePayloads, type PayloadFile, type ServedPayloads } from '@bootsync/testkit/http';

// Larger than the store's 1 MiB write batches and its 32 MiB writeback step, so both run many times per file.
const BIG = 40 * 2 ** 20 + 12_345;
let served: ServedPayloads;
let store: ContentStore;
let downloader: Downloader;

beforeAll(async () => {
  served = await servePayloads([BIG, BIG - 777_777, 3_000]);
});
afterAll(() => served.close());
beforeEach(async () => {
  served.server.faults.clear();
  store = new ContentStore({ root: await mkdtemp(path.join(served.dir, 'store-')) });
  downloader = new Downloader({ store, concurrency: 3 });
});
afterEach(async () => {
  await downloader.close();
  await rm(store.root, { recursive: true, force: true });
});

const request = (p: PayloadFile): FileRequest => ({ url: served.urlOf(p), size: p.size, checksums: { sha256: p.sha256 } });

describe('Downloader: the write path of large files', () => {
  it('stores several large files received at once byte for byte, and leaves no partial behind', async () => {
    const outcomes = await downloader.download(served.files.map(request));
    expect(outcomes.map((o) => o.ok && o.bytes)).toEqual(served.files.map((p) => p.size));
    for (const p of served.files) {
      expect((await readFile(store.pathOf(p.sha256))).equals(p.bytes)).toBe(true);
    }
    expect(await readdir(path.join(store.root, 'partial'))).toEqual([]);
  });

  it('reports progress that only grows, ends at the total, and comes about every 100 ms rather than per chunk', async () => {
    const big = served.files[0] as PayloadFile;
    // ~1.3 s at this rate: a live bar gets a dozen updates, not one per 64 KiB network chunk (~650 of them).
    served.server.faults.set(big.urlPath, { bytesPerSecond: 32 * 2 ** 20 });
    const seen: DownloadProgress[] = [];
    const [outcome] = await downloader.download([request(big)], { onProgress: (p) => seen.push(p) });
    expect(outcome?.ok).toBe(true);
    const bytes = seen.map((p) => p.totalBytes);
    expect(bytes).toEqual([...bytes].sort((x, y) => x - y));
    expect(bytes.at(-1)).toBe(big.size);
    expect(bytes.filter((b) => b > 0 && b < big.size).length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeLessThan(60);
  });

  it('tells of each file as soon as it is stored, while the others still download', async () => {
    const [big, , small] = served.files as [PayloadFile, PayloadFile, PayloadFile];
    served.server.faults.set(big.urlPath, { bytesPerSecond: 64 * 2 ** 20 });
    const settled: { outcome: FileOutcome; bigBytesOnDisk: number }[] = [];
    let bigBytes = 0;
    const outcomes = await downloader.download([request(big), request(small)], {
      onProgress: (p) => {
        if (p.request.url === served.urlOf(big)) bigBytes = p.fileBytes;
      },
      onFile: (outcome) => settled.push({ outcome, bigBytesOnDisk: bigBytes }),
    });
    expect(settled.map((s) => s.outcome.request.url)).toEqual([served.urlOf(small), served.urlOf(big)]);
    // The small file was announced stored (and was in the store) while the big one was still on its way.
    expect(settled[0]?.outcome).toMatchObject({ ok: true, sha256: small.sha256 });
    expect(settled[0]?.bigBytesOnDisk).toBeLessThan(big.size);
    expect(settled[1]?.outcome).toMatchObject({ ok: true, sha256: big.sha256 });
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
  });

  it('downloads in the calling thread with threads: 0, as it does on worker threads by default', async () => {
    const inThread = new Downloader({ store, concurrency: 3, threads: 0 });
    try {
      const outcomes = await inThread.download(served.files.map(request));
      expect(outcomes.map((o) => o.ok && o.sha256)).toEqual(served.files.map((p) => p.sha256));
    } finally {
      await inThread.close();
    }
  });
});
