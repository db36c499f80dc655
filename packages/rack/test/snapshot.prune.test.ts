import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentStore } from '@bootsync/shared/store';
import { planSnapshot, publishSnapshot, pruneDataDir, writeSyncTarget } from '@bootsync/rack/snapshot';
import { bootItem, sha256Of, storeBlob, tempDir } from './rack-fixtures.js';

let cleanup: () => Promise<void>;
let dataDir: string;
let cache: ContentStore;

beforeEach(async () => {
  const t = await tempDir('prune');
  cleanup = t.cleanup;
  dataDir = join(t.dir, 'rack');
  cache = new ContentStore({ root: join(dataDir, 'cache'), fsync: false });
});
afterEach(() => cleanup());

async function publishKernel(content: string, now: Date) {
  const sha = await storeBlob(cache, content);
  await publishSnapshot({ dataDir, plan: planSnapshot([bootItem('boot-kernel', content)]), blobPath: (s) => cache.pathOf(s), now });
  return sha;
}

describe('pruneDataDir', () => {
  it('removes a replaced snapshot after the grace period, then the blobs neither a snapshot nor the sync target lists', async () => {
    const t0 = new Date('2025-07-24T08:00:00Z');
    const oldSha = await publishKernel('kernel v1', t0);
    const newSha = await publishKernel('kernel v2', new Date(t0.getTime() + 60_000));
    const stray = await storeBlob(cache, 'downloaded for a sync that will retry');
    await writeSyncTarget(dataDir, { source: '"v3"', blobs: { [stray]: 37 } });

    const early = await pruneDataDir({ dataDir, cache, graceMs: 600_000, now: new Date(t0.getTime() + 5 * 60_000) });
    expect(early.removedSnapshots).toEqual([]);
    expect((await cache.list()).sort()).toEqual([oldSha, newSha, stray].sort());

    await writeSyncTarget(dataDir, { source: '"v2"', blobs: { [newSha]: 9 } });
    const late = await pruneDataDir({ dataDir, cache, graceMs: 600_000, now: new Date(t0.getTime() + 11 * 60_000) });
    expect(late.removedSnapshots).toEqual(['snapshot-20250724-080000-000']);
    expect(late.removedBlobs).toBe(2);
    expect(await cache.list()).toEqual([newSha]);
    expect((await readdir(dataDir)).sort()).toEqual(['.sync-target.json', 'cache', 'current', 'snapshot-20250724-080100-000']);
    await access(join(dataDir, 'current/ubuntu/amd64/ga-24.04/noble/stable/boot-kernel'));
  });

  it('drops partial downloads the sync target does not list, and keeps them all in a data dir without a target', async () => {
    const partialOf = async (content: string) => {
      const writing = await cache.partial({ checksums: { sha256: sha256Of(content) }, size: content.length + 10 });
      await writing.append(Buffer.from(content));
      await writing.close();
      return `sha256-${sha256Of(content)}.part`;
    };
    const partials = async () => (await readdir(join(dataDir, 'cache', 'partial'))).filter((n) => n.endsWith('.part')).sort();
    await publishKernel('kernel v1', new Date('2025-07-24T08:00:00Z'));
    const stale = await partialOf('an image unselected mid-download');
    const wanted = await partialOf('the next kernel, half fetched');

    // A data dir from before sync targets: a killed sync's head start survives.
    await pruneDataDir({ dataDir, cache });
    expect(await partials()).toEqual([stale, wanted].sort());

    await writeSyncTarget(dataDir, { source: '"v2"', blobs: { [sha256Of('the next kernel, half fetched')]: 40 } });
    await pruneDataDir({ dataDir, cache });
    expect(await partials()).toEqual([wanted]);
  });

  it('keeps what a sync target claims through any number of prunes, and lets it go once a target of another state replaces it', async () => {
    await publishKernel('kernel v1', new Date('2025-07-24T08:00:00Z'));
    const fetched = await storeBlob(cache, 'kernel v2, verified, not yet published');
    await writeSyncTarget(dataDir, { source: '"v2"', blobs: { [fetched]: 38 } });
    for (let i = 0; i < 5; i++) await pruneDataDir({ dataDir, cache });
    expect(await cache.has(fetched)).toBe(true);

    // A retry of the same stream state leaves the claim as it was.
    await writeSyncTarget(dataDir, { source: '"v2"', blobs: {} });
    await pruneDataDir({ dataDir, cache });
    expect(await cache.has(fetched)).toBe(true);

    await writeSyncTarget(dataDir, { source: '"v3"', blobs: {} });
    await pruneDataDir({ dataDir, cache });
    expect(await cache.has(fetched)).toBe(false);
  });
});

