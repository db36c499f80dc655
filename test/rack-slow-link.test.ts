import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentStore } from '@bootsync/shared/store';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { eventually } from '@bootsync/testkit/wait';
import { planBlobs, type SnapshotManifest } from '@bootsync/rack/snapshot';
import { partialBytes } from '@bootsync/region/testing';
import { newBlobBytes, rackMetric, startRackScene, wholeCurrent, type RackScene } from './rack-daemons.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const PRUNE_SECONDS = 1;
// 256 KiB/s per connection: the sync lasts many prune periods, and each file takes longer than one.
const SLOW = 256 * KiB;
let scene: RackScene;

beforeAll(async () => {
  scene = await startRackScene({
    rack: 'rack-slow',
    redisUrl: testRedisUrl,
    squashfsBytes: 2 * MiB,
    sizes: { 'boot-kernel': 512 * KiB, 'boot-initrd': 1 * MiB },
    rackFlags: ['--prune-interval', `${PRUNE_SECONDS}s`],
    firstSync: { bytesPerSecond: SLOW, timeoutMs: 90_000 },
  });
}, 120_000);
afterAll(async () => scene?.close());

const blobBytes = (manifest: SnapshotManifest): number => [...planBlobs(manifest.plan).values()].reduce((a, b) => a + b, 0);

describe('a rack on a slow link', () => {
  it('finishes a first sync that lasts several prune periods, fetching each needed byte about once', async () => {
    const needed = blobBytes((await wholeCurrent(scene.rackDir))!);
    const events = scene.rack.events();
    const published = events.filter((e) => e.event === 'rack.sync.published');
    expect(events.filter((e) => e.event === 'rack.sync.failed')).toEqual([]);
    expect(published).toHaveLength(1);
    expect(Number(published[0]!.ms)).toBeGreaterThan(2 * PRUNE_SECONDS * 1000);
    // What crossed the link (stream documents and headers included) and what the rack says it fetched.
    expect(scene.throttle.bytesSent()).toBeLessThanOrEqual(1.05 * needed);
    expect(await rackMetric(scene.rack, 'bootsync_rack_bytes_fetched_total')).toBe(needed);
  });

  it('resumed after a kill, fetches none of the blobs it had verified, though prunes run meanwhile', { timeout: 60_000 }, async () => {
    const { rackDir } = scene;
    const cache = new ContentStore({ root: join(rackDir, 'cache'), fsync: false });
    const before = (await wholeCurrent(rackDir))!;
    const held = new Set(planBlobs(before.plan).keys());
    const verifiedNew = async (): Promise<string[]> => (await cache.list()).filter((sha) => !held.has(sha));
    await scene.newVersion('20250801', SLOW);
    await eventually(async () => ((await verifiedNew()).length > 0 ? true : undefined), 30_000, 'a new blob verified on the rack');
    await scene.rack.kill();
    let verified = 0;
    for (const sha of await verifiedNew()) verified += (await cache.size(sha)) ?? 0;
    const kept = await partialBytes(join(rackDir, 'cache'));

    await scene.restartRack();
    const after = await scene.newSnapshotReported(before);
    const events = scene.rack.events();
    const published = events.find((e) => e.event === 'rack.sync.published');
    expect(events.filter((e) => e.event === 'rack.sync.failed')).toEqual([]);
    expect(Number(published?.ms)).toBeGreaterThan(2 * PRUNE_SECONDS * 1000);
    const fetched = await rackMetric(scene.rack, 'bootsync_rack_bytes_fetched_total');
    expect(verified).toBeGreaterThan(0);
    expect(fetched).toBeLessThanOrEqual(newBlobBytes(before, after) - verified - kept);
  });
});
