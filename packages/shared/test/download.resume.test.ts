import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DownloadAbortedError, Downloader, type FileOutcome, type FileRequest } from '@bootsync/shared/download';
import { ContentStore } from '@bootsync/shared/store';
import { servePayloads, type PayloadFile, type ServedPayloads } from '@bootsync/testkit/http';

const fastRetry = { attempts: 4, budgetMs: 5_000, baseDelayMs: 5, maxDelayMs: 20, jitter: 0.5 };
let served: ServedPayloads;
let big: PayloadFile;
let store: ContentStore;
let downloader: Downloader;

beforeAll(async () => {
  served = await servePayloads([1_000_000]);
  big = served.files[0] as PayloadFile;
});
afterAll(() => served.close());
beforeEach(async () => {
  served.server.faults.clear();
  store = new ContentStore({ root: await mkdtemp(path.join(served.dir, 'store-')) });
  downloader = new Downloader({ store, retry: fastRetry });
});
afterEach(async () => {
  await downloader.close();
  await rm(store.root, { recursive: true, force: true });
});

const request = (p: PayloadFile): FileRequest => ({ url: served.urlOf(p), size: p.size, checksums: { sha256: p.sha256 } });
const requestsFor = (p: PayloadFile) => served.requestsFor(p);
const ok = (o: FileOutcome | undefined) => {
  if (!o?.ok) throw new Error(`download failed: ${o?.error.message}`);
  return o;
};

describe('Downloader: resuming', () => {
  it('resumes an interrupted download with Range + If-Range, asking only for the remaining bytes', async () => {
    const seen = requestsFor(big).length;
    served.server.faults.set(big.urlPath, { dropAfterBytes: 300_000, times: 1 });
    const [outcome] = await downloader.download([request(big)]);
    expect(ok(outcome)).toMatchObject({ sha256: big.sha256, bytes: big.size, resumedFrom: 0, fetched: big.size });
    const [first, second, ...rest] = requestsFor(big).slice(seen);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ range: undefined, bytesSent: 300_000 });
    // The client keeps what reached it before the cut (at most what was sent) and asks for the rest only.
    const kept = Number(/^bytes=(\d+)-$/.exec(second?.range ?? '')?.[1]);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(300_000);
    expect(second).toMatchObject({ status: 206, bytesSent: big.size - kept });
    expect(second?.ifRange).toMatch(/^"/);
    expect(await store.verify(big.sha256)).toBe(true);
  });

  it('starts over cleanly when the server ignores Range', async () => {
    const etag = (await fetch(served.urlOf(big), { method: 'HEAD' })).headers.get('etag') ?? undefined;
    const partial = await store.partial({ checksums: { sha256: big.sha256 }, size: big.size });
    await partial.setValidator(etag);
    await partial.append(big.bytes.subarray(0, 300_000));
    await partial.close();
    const seen = requestsFor(big).length;
    served.server.faults.set(big.urlPath, { ignoreRange: true });
    const [outcome] = await downloader.download([request(big)]);
    expect(ok(outcome)).toMatchObject({ sha256: big.sha256, resumedFrom: 0, fetched: big.size });
    expect(requestsFor(big).slice(seen).map((r) => [r.range, r.status])).toEqual([['bytes=300000-', 200]]);
    expect(await store.verify(big.sha256)).toBe(true);
  });

  it('cancels within a second through an AbortSignal, keeps the partial, and a later call resumes it', async () => {
    served.server.faults.set(big.urlPath, { bytesPerSecond: 400_000 });
    const controller = new AbortController();
    // Cancelled once part of the file is in (not after a fixed time: a busy machine may not have started yet).
    const transfer = () => requestsFor(big).at(-1)!;
    let sentAtAbort = 0;
    const pending = downloader.download([request(big)], {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.fileBytes < 100_000 || controller.signal.aborted) return;
        sentAtAbort = transfer().bytesSent;
        controller.abort();
      },
    });
    const [outcome] = await pending;
    // Within a second, on the clock of the transfer itself (400 KB/s, paced by this process's event loop, so a
    // loaded machine slows it as it slows the download): less than a second of it was sent after the abort.
    expect(transfer().bytesSent - sentAtAbort).toBeLessThan(400_000);
    expect(outcome?.ok).toBe(false);
    const error = outcome?.ok === false ? outcome.error : undefined;
    expect(error).toBeInstanceOf(DownloadAbortedError);
    const kept = (error as DownloadAbortedError).bytesKept;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(big.size);
    const partials = await readdir(path.join(store.root, 'partial'));
    const partFile = partials.find((n) => n.endsWith('.part')) as string;
    expect((await stat(path.join(store.root, 'partial', partFile))).size).toBe(kept);
    expect(await store.has(big.sha256)).toBe(false);

    served.server.faults.clear();
    const seen = requestsFor(big).length;
    const [again] = await downloader.download([request(big)]);
    expect(ok(again)).toMatchObject({ resumedFrom: kept, fetched: big.size - kept });
    expect(requestsFor(big).slice(seen).map((r) => r.range)).toEqual([`bytes=${kept}-`]);
  });

  it('discards a partial longer than the file, and one the server calls unsatisfiable', async () => {
    const expected = { checksums: { sha256: big.sha256 }, size: big.size };
    const tooLong = await store.partial(expected);
    await tooLong.setValidator('"stale"');
    await tooLong.append(Buffer.alloc(big.size + 10));
    await tooLong.close();
    const [first] = await downloader.download([request(big)]);
    expect(ok(first).resumedFrom).toBe(0);

    await store.remove(big.sha256);
    const etag = (await fetch(served.urlOf(big), { method: 'HEAD' })).headers.get('etag');
    const seen = requestsFor(big).length;
    // A partial whose recorded size is past what the server has: the server answers 416.
    served.server.faults.set(big.urlPath, { status: 416, times: 1 });
    const stale = await store.partial(expected);
    await stale.setValidator(etag ?? undefined);
    await stale.append(big.bytes.subarray(0, 1000));
    await stale.close();
    const [second] = await downloader.download([request(big)]);
    expect(ok(second).sha256).toBe(big.sha256);
    expect(requestsFor(big).slice(seen).map((r) => [r.range, r.status])).toEqual([
      ['bytes=1000-', 416],
      [undefined, 200],
    ]);
  });
});
