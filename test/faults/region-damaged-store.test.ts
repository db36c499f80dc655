import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flipByte } from '@bootsync/testkit/damage';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { eventually } from '@bootsync/testkit/wait';
import { imagesRead, startRackScene, type RackScene, type RegionBin } from '../rack-daemons.js';
import { report } from './report.js';

const MiB = 1024 * 1024;
const SCRUB_SECONDS = 1;
const VERSION = '20250718';
let scene: RackScene | undefined;

afterAll(async () => scene?.close());

const blobPath = (region: RegionBin, sha256: string): string => join(region.dataDir, 'store', 'sha256', sha256.slice(0, 2), sha256);
const streamPath = (filename: string): string => `/MAAS/images-stream/ubuntu/amd64/ga-24.04/noble/${VERSION}/${filename}`;
const seconds = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : (ms / 1000).toFixed(2));

/** Polls what the region stream serves of a file until it is served whole again after being withheld. */
async function watchRepair(region: RegionBin, filename: string, good: Buffer, since: number) {
  let wrongBefore = 0;
  let wrongAfter = 0;
  let withheldMs: number | undefined;
  await eventually(async () => {
    const { status, body } = await region.get(streamPath(filename));
    if (status === 200 && !body.equals(good)) {
      if (withheldMs === undefined) wrongBefore += 1;
      else wrongAfter += 1;
    }
    if (status === 404) withheldMs ??= performance.now() - since;
    return withheldMs !== undefined && status === 200 && body.equals(good) ? true : undefined;
  }, 60_000, `${filename} withheld, then served whole`, 20);
  return { wrongBefore, wrongAfter, withheldMs, repairedMs: performance.now() - since };
}

describe('a damaged region store, --scrub-interval 1s', () => {
  it('a flipped byte and a deleted blob are withheld, fetched again and served whole while the rack keeps serving', { timeout: 110_000 }, async () => {
    scene = await startRackScene({
      rack: 'rack-region-rot', redisUrl: testRedisUrl, squashfsBytes: 48 * MiB, sizes: { 'boot-kernel': 4 * MiB, 'boot-initrd': 8 * MiB },
      regionFlags: ['--scrub-interval', `${SCRUB_SECONDS}s`],
    });
    const s = scene;
    const region = s.region;
    const item = (ftype: string) => s.mirror.items.find((i) => i.ftype === ftype && i.ref.product.endsWith(':ga-24.04'))!;
    const kernel = item('boot-kernel');
    const squashfs = item('squashfs');
    const goodKernel = await readFile(join(s.mirror.root, kernel.path));
    const rackKernel = `${s.rack.url}/images/ubuntu/amd64/ga-24.04/noble/stable/boot-kernel`;

    // Bit rot in the kernel: found by the scrub only.
    await flipByte(blobPath(region, kernel.sha256), 2 * MiB + 11);
    const flipped = performance.now();
    const flip = await watchRepair(region, 'boot-kernel', goodKernel, flipped);
    await eventually(() => imagesRead(region, 'Synced'), 20_000, 'Synced after the flip');
    const flipSyncedMs = performance.now() - flipped;

    // A deleted squashfs (shared by ga and hwe): found by the scrub's check of the published sets.
    const goodSquashfs = await readFile(join(s.mirror.root, squashfs.path));
    await rm(blobPath(region, squashfs.sha256));
    const deleted = performance.now();
    const gone = await watchRepair(region, 'squashfs', goodSquashfs, deleted);
    await eventually(() => imagesRead(region, 'Synced'), 20_000, 'Synced after the deletion');
    const goneSyncedMs = performance.now() - deleted;

    const rackServed = Buffer.from(await (await fetch(rackKernel)).arrayBuffer());
    const events = region.events();
    const scrub = events.find((e) => e.event === 'region.scrub.finished' && Number(e.bytes) > 48 * MiB);
    const mismatches = events.filter((e) => e.event === 'region.scrub.mismatch');
    report('region flipped byte', {
      scrubEverySeconds: SCRUB_SECONDS, storeBytes: Number(scrub?.bytes), scrubMs: Number(scrub?.ms),
      scrubMiBPerSecond: scrub ? (Number(scrub.bytes) / MiB / (Number(scrub.ms) / 1000)).toFixed(1) : undefined,
      flipToWithheldSeconds: seconds(flip.withheldMs), flipToRepairedSeconds: seconds(flip.repairedMs), flipToSyncedSeconds: seconds(flipSyncedMs),
      wrongAnswersBeforeWithheld: flip.wrongBefore, wrongAnswersAfterWithheld: flip.wrongAfter,
    });
    report('region deleted blob', {
      bytes: squashfs.size, deleteToWithheldSeconds: seconds(gone.withheldMs), deleteToRepairedSeconds: seconds(gone.repairedMs),
      deleteToSyncedSeconds: seconds(goneSyncedMs), wrongAnswers: gone.wrongBefore + gone.wrongAfter,
      mismatchesLogged: mismatches.length, repairs: events.filter((e) => e.event === 'import.blob.repaired').length,
      rackKernelWhole: rackServed.equals(goodKernel),
    });
    expect(flip.wrongAfter).toBe(0);
    expect(gone.wrongBefore + gone.wrongAfter).toBe(0);
    expect(mismatches.map((e) => [e.reason, e.sha256])).toEqual([['checksum', kernel.sha256], ['missing', squashfs.sha256]]);
    expect(rackServed.equals(goodKernel)).toBe(true);
    expect(flip.repairedMs).toBeLessThan(SCRUB_SECONDS * 1000 + 15_000);
    expect(gone.repairedMs).toBeLessThan(SCRUB_SECONDS * 1000 + 15_000);
  });
});
