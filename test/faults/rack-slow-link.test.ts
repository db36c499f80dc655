import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { planBlobs } from '@bootsync/rack/snapshot';
import { newBlobBytes, startRackScene, wholeCurrent, type RackScene } from '../rack-daemons.js';
import { report } from './report.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const PRUNE_SECONDS = 1;
// Per connection; the rack opens up to 4. Every file takes several prune periods to arrive.
const LINK = 512 * KiB;
let scene: RackScene | undefined;

afterAll(async () => scene?.close());

const publishedMs = (s: RackScene): number[] => s.rack.events().filter((e) => e.event === 'rack.sync.published').map((e) => Number(e.ms));
const failures = (s: RackScene): number => s.rack.events().filter((e) => e.event === 'rack.sync.failed').length;

describe('a rack on a slow link, pruning every second', () => {
  it('finishes its first sync and a sync the region interrupts, fetching about the bytes it needs', async () => {
    const started = performance.now();
    scene = await startRackScene({
      rack: 'rack-wan',
      redisUrl: testRedisUrl,
      squashfsBytes: 6 * MiB,
      sizes: { 'boot-kernel': 1 * MiB, 'boot-initrd': 2 * MiB },
      rackFlags: ['--prune-interval', `${PRUNE_SECONDS}s`],
      firstSync: { bytesPerSecond: LINK, timeoutMs: 100_000 },
    });
    const first = (await wholeCurrent(scene.rackDir))!;
    const firstNeeded = [...planBlobs(first.plan).values()].reduce((a, b) => a + b, 0);
    const firstSent = scene.throttle.bytesSent();
    const [firstMs = 0] = publishedMs(scene);
    report('rack slow link, first sync', {
      linkBytesPerSecond: LINK, pruneEverySeconds: PRUNE_SECONDS, syncMs: firstMs, prunePeriods: Math.floor(firstMs / 1000 / PRUNE_SECONDS),
      bytesNeeded: firstNeeded, bytesSent: firstSent, ratio: (firstSent / firstNeeded).toFixed(3), failedSyncs: failures(scene),
      wallMs: Math.round(performance.now() - started),
    });
    expect(firstMs).toBeGreaterThan(2 * PRUNE_SECONDS * 1000);
    expect(firstSent).toBeLessThanOrEqual(1.05 * firstNeeded);
    expect(failures(scene)).toBe(0);

    // A new version on the same link; the region goes away for 3 s mid-transfer and comes back.
    await scene.newVersion('20250801', LINK);
    await scene.partialOnRack(1 * MiB);
    await scene.region.kill();
    await sleep(3_000);
    await scene.restartRegion();
    const second = await scene.newSnapshotReported(first);
    const secondNeeded = newBlobBytes(first, second);
    const secondSent = scene.throttle.bytesSent() - firstSent;
    report('rack slow link, region restarted mid-sync', {
      linkBytesPerSecond: LINK, regionDownMs: 3000, bytesNeeded: secondNeeded, bytesSent: secondSent,
      ratio: (secondSent / secondNeeded).toFixed(3), failedSyncs: failures(scene), syncsPublished: publishedMs(scene).length,
    });
    expect(secondSent).toBeLessThanOrEqual(1.05 * secondNeeded);
  });
});
