import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, type Downloader } from '@bootsync/shared/download';
import { ContentStore } from '@bootsync/shared/store';
import type { ProductItem } from '@bootsync/shared/streams';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { regionDownloader } from '@bootsync/rack/daemon';
import { downloadFromRegions } from '@bootsync/rack/sync';
import { bootItem, regionLinkTo, tempDir } from './rack-fixtures.js';

const MiB = 1024 * 1024;
/** Fast rounds for the tests: two in a row that store nothing, and the rack gives up. */
const RETRY = { ...DEFAULT_RETRY, attempts: 2, baseDelayMs: 50, maxDelayMs: 100, budgetMs: 5_000 };

/** Two "regions": static servers of the same files (so each gives a file the same ETag), as a cluster's regions do. */
let dir: string;
let cleanup: () => Promise<void>;
let items: ProductItem[];
let a: MisbehavingServer;
let b: MisbehavingServer;
let downloader: Downloader;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('region-downloads'));
  const contents = { 'boot-kernel': 'kernel '.repeat(300_000), 'boot-initrd': 'initrd '.repeat(300_000), squashfs: 'root '.repeat(MiB) };
  items = Object.entries(contents).map(([name, content]) => bootItem(name, content));
  for (const item of items) {
    const file = join(dir, 'regions', item.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, contents[item.ref.item as keyof typeof contents]);
  }
  a = await startMisbehavingServer({ root: join(dir, 'regions') });
  b = await startMisbehavingServer({ root: join(dir, 'regions') });
  downloader = regionDownloader({ token: 't', store: new ContentStore({ root: join(dir, 'cache'), fsync: false }), retry: RETRY, failFast: true });
});
afterEach(async () => {
  await downloader.close();
  await a.close().catch(() => undefined);
  await b.close().catch(() => undefined);
  await cleanup();
});

describe('a rack fetching its files from one region of several', () => {
  it('moves to the next region when the current one cuts its connection mid-file, and resumes the partial there', async () => {
    const squashfs = `/${items[2]!.path}`;
    a.faults.set(squashfs, { dropAfterBytes: 2 * MiB });
    const { link, moves: events } = regionLinkTo([a.url, b.url]);
    const outcomes = await downloadFromRegions({ downloader, link, retry: RETRY }, items);

    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    expect(link.current).toBe(b.url);
    expect(events()).toEqual([expect.objectContaining({ rack: 'rack-1', region: b.url, from: a.url, err: expect.objectContaining({ code: expect.any(String) }) })]);
    // B was asked for the rest of the squashfs only, under the ETag A gave it (206: B's ETag for it is the same).
    expect(a.requests.filter((r) => r.path === squashfs)).toHaveLength(1);
    const fromB = b.requests.filter((r) => r.path === squashfs);
    expect(fromB).toEqual([expect.objectContaining({ status: 206, range: expect.stringMatching(/^bytes=\d+-$/), ifRange: expect.stringMatching(/^"/) })]);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(fromB[0]!.range!)![1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(2 * MiB);
  });

  it('moves on at once from a region that asks it to wait its turn (503 + Retry-After) when another may serve it now', async () => {
    a.faults.set('*', { status: 503, retryAfter: '30' });
    const { link, moves: events } = regionLinkTo([a.url, b.url]);
    const started = Date.now();
    const outcomes = await downloadFromRegions({ downloader, link, retry: RETRY }, items);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(events()).toHaveLength(1);
    expect(b.requests.filter((r) => r.status === 200)).toHaveLength(3);
  });

  it('waits its turn at a busy region when the other is down, however long: a busy region is up, the wait is no failure', async () => {
    // Turns refused for 2 s, each asking for 0 s (waited 100-200 ms): the policy gives up after two rounds that fail.
    a.faults.set('*', { status: 503, retryAfter: '0' });
    const busy = setTimeout(() => a.faults.clear(), 2_000);
    await b.close();
    const { link, moves: events } = regionLinkTo([a.url, b.url]);
    const outcomes = await downloadFromRegions({ downloader, link, retry: RETRY }, items);
    clearTimeout(busy);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(link.current).toBe(a.url);
    const rounds = events().filter((e) => e.region === a.url).length;
    expect(rounds).toBeGreaterThan(2);
    expect(events().map((e) => e.region)).toEqual(Array.from({ length: rounds }, () => [b.url, a.url]).flat());
  });

  it('goes round the regions while all fail, waiting between rounds, and gives up as the retry policy says', async () => {
    a.faults.set('*', { status: 500 });
    b.faults.set('*', { status: 502 });
    const { link, moves: events } = regionLinkTo([a.url, b.url]);
    const outcomes = await downloadFromRegions({ downloader, link, retry: RETRY }, items);
    expect(outcomes.some((o) => !o.ok && /HTTP 50[02]/.test(o.error.message))).toBe(true);
    expect(outcomes.every((o) => !o.ok)).toBe(true);
    // Two rounds of A then B: the policy allows two without progress.
    expect(events().map((e) => e.region)).toEqual([b.url, a.url, b.url, a.url]);
  });

  it('does not move for a failure every region would give: a file missing from the stream (404) fails the download', async () => {
    a.faults.set(`/${items[0]!.path}`, { status: 404 });
    const { link, moves: events } = regionLinkTo([a.url, b.url]);
    const outcomes = await downloadFromRegions({ downloader, link, retry: RETRY }, items);
    expect(outcomes[0]).toMatchObject({ ok: false, error: expect.objectContaining({ status: 404 }) });
    expect(events()).toEqual([]);
    expect(b.requests).toEqual([]);
  });
});
