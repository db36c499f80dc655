import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flipByte } from '@bootsync/testkit/damage';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { eventually } from '@bootsync/testkit/wait';
import { rackController, rackMetric, startRackScene, wholeCurrent, type RackScene } from './rack-daemons.js';

const KiB = 1024;
let scene: RackScene;

beforeAll(async () => {
  scene = await startRackScene({
    rack: 'rack-scrub', redisUrl: testRedisUrl, squashfsBytes: 512 * KiB, sizes: { 'boot-kernel': 256 * KiB },
    rackFlags: ['--scrub-interval', '1s'],
  });
}, 60_000);
afterAll(async () => scene?.close());

describe('bootsync-rack --scrub-interval', () => {
  it('finds a flipped bit the file times do not show, stops serving the file, reads syncing until the repair, then serves it whole', async () => {
    const manifest = (await wholeCurrent(scene.rackDir))!;
    const kernel = manifest.plan.files.find((f) => f.path.endsWith('/boot-kernel') && f.path.includes('/ga-24.04/'))!;
    const file = join(scene.rackDir, 'current', kernel.path);
    const good = await readFile(file);
    const url = `${scene.rack.url}/images/${kernel.path}`;
    // The repair's download crawls, so what the region reads meanwhile can be seen.
    scene.throttle.setRate(32 * KiB);
    await flipByte(file, 100_000, { keepMtime: true });

    // Every answer for the file from the flip on, polled every 20 ms until one has `status`.
    const served: { status: number; right: boolean }[] = [];
    const servedUntil = (status: number, ms: number, what: string) =>
      eventually(async () => {
        const r = await request(url);
        const body = Buffer.from(await r.body.arrayBuffer());
        served.push({ status: r.statusCode, right: body.equals(good) });
        return r.statusCode === status ? true : undefined;
      }, ms, what, 20);
    await servedUntil(404, 15_000, 'the flipped file withheld');
    // The ga kernel's generic/ copy (MAAS's layout) is a hard link of the same file: flipped with it, and found by the
    // same scrub pass a moment after the first (the file is withheld from the first).
    const mismatches = (): Record<string, unknown>[] => scene.rack.events().filter((e) => e.event === 'rack.scrub.mismatch');
    await eventually(() => (mismatches().length >= 2 ? true : undefined), 10_000, 'both links found flipped');
    expect(mismatches()).toEqual([
      expect.objectContaining({ image: 'maas:boot:ubuntu:amd64:ga-24.04:noble', file: kernel.path, sha256: kernel.sha256, reason: 'sha256' }),
      expect.objectContaining({ image: 'maas:boot:ubuntu:amd64:ga-24.04:noble', file: kernel.path.replace('/ga-24.04/', '/generic/'), sha256: kernel.sha256, reason: 'sha256' }),
    ]);
    // The rack queued its repair at once and said what it no longer holds: the region reads it syncing, the image not synced.
    const status = async (): Promise<string | undefined> =>
      ((await scene.region.api('boot-resources/')) as { architecture: string; status: string }[]).find((r) => r.architecture === 'amd64/ga-24.04')?.status;
    const notSynced = await eventually(async () => {
      const now = await status();
      return now === 'Synced' ? undefined : now;
    }, 5_000, 'the image not synced');
    expect(notSynced).toBe('Syncing to rack controller(s)');
    expect((await rackController(scene.region, 'rack-scrub')).image_sync_status).toBe('syncing');
    expect(await status()).toBe('Syncing to rack controller(s)');

    scene.throttle.setRate(undefined);
    await servedUntil(200, 20_000, 'the file served again');
    // Once withheld, never the wrong bytes: 404 until the repaired snapshot, then the right ones.
    const afterWithheld = served.slice(served.findIndex((s) => s.status === 404));
    expect(afterWithheld.every((s) => s.status === 404 || (s.status === 200 && s.right))).toBe(true);
    expect(served.at(-1)).toEqual({ status: 200, right: true });
    await eventually(async () => ((await rackController(scene.region, 'rack-scrub')).image_sync_status === 'synced' ? true : undefined), 10_000, 'synced');
    expect(await rackMetric(scene.rack, 'bootsync_rack_scrub_runs_total')).toBeGreaterThan(0);
    expect(await rackMetric(scene.rack, 'bootsync_rack_scrub_bytes_checked_total')).toBeGreaterThan(kernel.size);
    expect(await rackMetric(scene.rack, 'bootsync_rack_scrub_mismatches_total')).toBe(2); // the kernel and its generic/ link
    expect(await rackMetric(scene.rack, 'bootsync_rack_scrub_repairs_total')).toBe(2);
  }, 60_000);
});
