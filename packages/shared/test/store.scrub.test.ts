import { mkdtemp, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentStore, ReadPacer, scrubStore, type ScrubMismatch, type ScrubProgress } from '@bootsync/shared/store';
import { flipByte } from '@bootsync/testkit/damage';
import { writePayload, type PayloadFile } from '@bootsync/testkit/http';

const MiB = 2 ** 20;
let dir: string;
let store: ContentStore;
let good: PayloadFile;
let flipped: PayloadFile;
let cut: PayloadFile;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bst-scrub-'));
  store = new ContentStore({ root: path.join(dir, 'store'), fsync: false });
  good = await writePayload(dir, 'good.bin', 3 * MiB + 17);
  flipped = await writePayload(dir, 'flipped.bin', 2 * MiB);
  cut = await writePayload(dir, 'cut.bin', 300_000);
  for (const p of [good, flipped, cut]) await store.putFile(p.file, { checksums: { sha256: p.sha256 }, size: p.size });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});


describe('scrubStore', () => {
  it('finds a flipped byte and a truncated blob, and passes the good one', async () => {
    await flipByte(store.pathOf(flipped.sha256), MiB + 5);
    await truncate(store.pathOf(cut.sha256), 1000);
    const reported: ScrubMismatch[] = [];
    const progress: ScrubProgress[] = [];
    const result = await scrubStore(store, {
      bytesPerSecond: 1024 * MiB,
      onMismatch: (m) => {
        reported.push(m);
      },
      onProgress: (p) => progress.push(p),
    });
    const bad = [flipped.sha256, cut.sha256].sort();
    expect(reported.map((m) => m.sha256).sort()).toEqual(bad);
    expect(result.mismatches.map((m) => m.sha256).sort()).toEqual(bad);
    const byName = new Map(reported.map((m) => [m.sha256, m]));
    expect(byName.get(cut.sha256)).toMatchObject({ bytes: 1000, path: store.pathOf(cut.sha256) });
    expect(byName.get(flipped.sha256)?.actual).toMatch(/^[0-9a-f]{64}$/);
    expect(byName.get(flipped.sha256)?.actual).not.toBe(flipped.sha256);
    expect(result.blobs).toBe(3);
    const total = good.size + flipped.size + 1000;
    expect(result.bytes).toBe(total);
    expect(progress.at(-1)?.bytes).toBe(total);
    expect(progress.reduce((sum, p) => sum + p.delta, 0)).toBe(total);
    // The scrub only reports: the blobs stay where they were, the good one intact.
    expect((await readFile(store.pathOf(good.sha256))).equals(good.bytes)).toBe(true);
    expect(await store.has(flipped.sha256)).toBe(true);
  });

  it('reports nothing for a sound store', async () => {
    const result = await scrubStore(store, { bytesPerSecond: 1024 * MiB });
    expect(result).toMatchObject({ blobs: 3, bytes: good.size + flipped.size + cut.size, mismatches: [] });
  });

  it('a mismatch moved aside by the callback is never served again and stays for inspection', async () => {
    await flipByte(store.pathOf(good.sha256), 0);
    const moved: (string | undefined)[] = [];
    await scrubStore(store, { bytesPerSecond: 1024 * MiB, onMismatch: async (m) => void moved.push(await store.quarantine(m.sha256)) });
    expect(moved).toEqual([path.join(store.root, 'quarantine', good.sha256)]);
    expect(await store.has(good.sha256)).toBe(false);
    expect(await store.list()).toEqual([flipped.sha256, cut.sha256].sort());
    expect(await store.quarantine(good.sha256)).toBeUndefined();
  });

  it('holds to its read rate', async () => {
    // 5.3 MiB at 8 MiB/s: at least ~0.6 s, however fast the disk and the hash.
    const started = performance.now();
    const result = await scrubStore(store, { bytesPerSecond: 8 * MiB });
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(((result.bytes - MiB) / (8 * MiB)) * 1000);
  });

  it('stops when its signal aborts, between two chunks', async () => {
    const controller = new AbortController();
    let seen = 0;
    let atAbort = 0;
    const scrub = scrubStore(store, {
      bytesPerSecond: 2 * MiB,
      signal: controller.signal,
      onProgress: (p) => {
        seen = p.bytes;
        if (p.bytes >= MiB && !controller.signal.aborted) {
          atAbort = p.bytes;
          controller.abort(new Error('stopping'));
        }
      },
    });
    await expect(scrub).rejects.toThrow('stopping');
    // Not one chunk more once aborted, though 5.3 MiB were to be read.
    expect(atAbort).toBeGreaterThanOrEqual(MiB);
    expect(seen).toBe(atAbort);
  });

  it('skips a blob removed while it runs', async () => {
    const result = await scrubStore(store, {
      bytesPerSecond: 1024 * MiB,
      blobs: [good.sha256, 'f'.repeat(64)],
    });
    expect(result).toMatchObject({ blobs: 1, bytes: good.size, mismatches: [] });
  });
});

describe('ReadPacer', () => {
  it('spaces reads to the rate and saves no burst from idle time', () => {
    let now = 0;
    const pacer = new ReadPacer(1000, () => now);
    expect(pacer.delayFor(500)).toBe(500);
    now = 500;
    expect(pacer.delayFor(1000)).toBe(1000);
    now = 10_000; // idle for long: the next chunk still waits its own share
    expect(pacer.delayFor(250)).toBe(250);
  });
});
