import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError,
  Downloader,
  HttpStatusError,
  InsufficientSpaceError,
  RetriesExhaustedError,
  type FileOutcome,
  type FileRequest,
} from '@bootsync/shared/download';
import { ContentStore } from '@bootsync/shared/store';
import { startMisbehavingServer, servePayloads, type PayloadFile, type ServedPayloads } from '@bootsync/testkit/http';

const fastRetry = { attempts: 3, budgetMs: 5_000, baseDelayMs: 5, maxDelayMs: 20, jitter: 0.5 };
const ref = { contentId: 'com.ubuntu.maas:stable:v3:download', product: 'noble-amd64', version: '20250701', item: 'squashfs' };
let served: ServedPayloads;
let files: readonly PayloadFile[];
let store: ContentStore;
let downloader: Downloader;

beforeAll(async () => {
  served = await servePayloads([0, 1, 2, 3, 4, 5].map((i) => 100_000 + i));
  files = served.files;
});
afterAll(() => served.close());
beforeEach(async () => {
  served.server.faults.clear();
  store = new ContentStore({ root: await mkdtemp(path.join(served.dir, 'store-')) });
  downloader = new Downloader({ store, retry: fastRetry, concurrency: 2 });
});
afterEach(async () => {
  await downloader.close();
  await rm(store.root, { recursive: true, force: true });
});

const request = (p: PayloadFile): FileRequest => ({ url: served.urlOf(p), size: p.size, checksums: { sha256: p.sha256 }, ref });
const requestsFor = (p: PayloadFile) => served.requestsFor(p);
const failure = (o: FileOutcome | undefined): Error => {
  if (o === undefined || o.ok) throw new Error('expected a failed outcome');
  return o.error;
};
const file = (i: number): PayloadFile => files[i] as PayloadFile;

describe('Downloader: bad answers', () => {
  it('refuses wrong bytes with a checksum error, publishes nothing for it, and stores the good files', async () => {
    served.server.faults.set(file(1).urlPath, { corrupt: true });
    const outcomes = await downloader.download([request(file(0)), request(file(1)), request(file(2))]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    const error = failure(outcomes[1]);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(error).toMatchObject({ algorithm: 'sha256', expected: file(1).sha256, ref });
    expect((error as ChecksumMismatchError).actual).toMatch(/^[0-9a-f]{64}$/);
    expect((error as ChecksumMismatchError).actual).not.toBe(file(1).sha256);
    expect((await store.list()).sort()).toEqual([file(0).sha256, file(2).sha256].sort());
    expect(await readdir(path.join(store.root, 'partial'))).toEqual([]);
  });

  it('takes a 404 as final: one request, an HttpStatusError naming the URL', async () => {
    const seen = requestsFor(file(0)).length;
    served.server.faults.set(file(0).urlPath, { status: 404 });
    const [outcome] = await downloader.download([request(file(0))]);
    const error = failure(outcome);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 404, url: request(file(0)).url, code: 'DOWNLOAD_HTTP_STATUS' });
    expect(requestsFor(file(0)).length - seen).toBe(1);
  });

  it('retries a 500 and succeeds when the server recovers', async () => {
    const seen = requestsFor(file(0)).length;
    served.server.faults.set(file(0).urlPath, { status: 500, times: 2 });
    const [outcome] = await downloader.download([request(file(0))]);
    expect(outcome).toMatchObject({ ok: true, sha256: file(0).sha256 });
    expect(requestsFor(file(0)).slice(seen).map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('gives up after the retry policy, with the last error as cause', async () => {
    const seen = requestsFor(file(0)).length;
    served.server.faults.set(file(0).urlPath, { status: 503 });
    const [outcome] = await downloader.download([request(file(0))]);
    const error = failure(outcome);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error).toMatchObject({ attempts: 3, url: request(file(0)).url });
    expect((error as RetriesExhaustedError).cause).toMatchObject({ status: 503 });
    expect(requestsFor(file(0)).length - seen).toBe(3);
  });

  it('times out a server gone idle and resumes from what arrived, as long as bytes keep coming', async () => {
    const idle = new Downloader({ store, retry: fastRetry, idleTimeoutMs: 300 });
    try {
      const seen = requestsFor(file(0)).length;
      // Every answer stalls after 40 kB: three attempts, each resuming where the last one stalled.
      served.server.faults.set(file(0).urlPath, { stallAfterBytes: 40_000 });
      const [outcome] = await idle.download([request(file(0))]);
      expect(outcome).toMatchObject({ ok: true, sha256: file(0).sha256 });
      expect(requestsFor(file(0)).slice(seen).map((r) => r.range)).toEqual([undefined, 'bytes=40000-', 'bytes=80000-']);

      served.server.faults.set(file(1).urlPath, { stallAfterBytes: 0 });
      const [stalled] = await idle.download([request(file(1))]);
      const error = failure(stalled);
      expect(error).toBeInstanceOf(RetriesExhaustedError);
      expect((error as RetriesExhaustedError).cause).toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
    } finally {
      await idle.close();
    }
  });

  it('checks free space before fetching anything', async () => {
    const seen = served.server.requests.length;
    const huge = { ...request(file(0)), size: 2 ** 60 };
    const outcomes = await downloader.download([huge, request(file(1))]);
    for (const o of outcomes) expect(failure(o)).toBeInstanceOf(InsufficientSpaceError);
    expect(failure(outcomes[0])).toMatchObject({ path: store.root });
    expect(served.server.requests.length).toBe(seen);
  });
});

describe('Downloader: a disk that fills up mid-download', () => {
  it('fails the file with STORE_INSUFFICIENT_SPACE naming the item and its partial, without retrying', async () => {
    const p = file(2);
    // The partial is /dev/full, where every write fails with the kernel's real ENOSPC.
    const partial = path.join(store.root, 'partial', `sha256-${p.sha256}.part`);
    await mkdir(path.dirname(partial), { recursive: true });
    await symlink('/dev/full', partial);
    const seen = requestsFor(p).length;

    const [outcome] = await downloader.download([request(p)]);

    const error = failure(outcome);
    expect(error).toBeInstanceOf(InsufficientSpaceError);
    expect(error).toMatchObject({ code: 'STORE_INSUFFICIENT_SPACE', ref, path: partial, needed: p.size, cause: { code: 'ENOSPC' } });
    expect(error.message).toContain(`/noble-amd64/20250701/squashfs: disk full while writing ${partial}: ${p.size} bytes needed, `);
    expect(requestsFor(p).length - seen).toBe(1);
    expect(await store.has(p.sha256)).toBe(false);
  });
});

describe('Downloader: parallelism', () => {
  it('fetches at most `concurrency` files at once, and each sha256 once', async () => {
    const slow = await startMisbehavingServer({ root: served.dir });
    try {
      slow.faults.set('*', { bytesPerSecond: 1_000_000 });
      const requests = files.map((p) => ({ ...request(p), url: `${slow.url}${p.urlPath}` }));
      const progress: number[] = [];
      const outcomes = await downloader.download([...requests, requests[0] as FileRequest], {
        onProgress: (p) => progress.push(p.totalBytes),
      });
      expect(outcomes.every((o) => o.ok)).toBe(true);
      expect(outcomes.at(-1)).toMatchObject({ sha256: files[0]?.sha256 });
      expect(slow.maxInFlight).toBe(2);
      expect(slow.requests.length).toBe(files.length);
      expect(progress.at(-1)).toBe(files.reduce((sum, p) => sum + p.size, 0));
    } finally {
      await slow.close();
    }
  });
});
