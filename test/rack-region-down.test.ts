import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { partialBytes } from '@bootsync/region/testing';
import { eventually } from './rack-harness.js';
import { imagesRead, newBlobBytes, rackMetric, startRackScene, wholeCurrent, type RackScene } from './rack-daemons.js';

const MiB = 1024 * 1024;
let scene: RackScene;

const get = async (url: string): Promise<Buffer> => Buffer.from(await (await request(url)).body.arrayBuffer());

beforeAll(async () => {
  scene = await startRackScene({ rack: 'rack-down', redisUrl: testRedisUrl, squashfsBytes: 4 * MiB });
}, 60_000);
afterAll(async () => scene?.close());

describe('the region goes down while a rack syncs', () => {
  it('the rack keeps serving its snapshot, retries, and completes with the partial resumed once the region is back', async () => {
    const { rackDir } = scene;
    const before = (await wholeCurrent(rackDir))!;
    const kernelPath = before.plan.files.find((f) => f.path.endsWith('/boot-kernel'))!.path;
    const kernelV1 = await get(`${scene.rack.url}/images/${kernelPath}`);
    const fetchedBefore = await rackMetric(scene.rack, 'bootsync_rack_bytes_fetched_total');

    await scene.newVersion('20250801', 1 * MiB);
    await eventually(() => imagesRead(scene.region, 'Syncing to rack controller(s)'), 20_000, 'the rack syncing the new set');
    await scene.partialOnRack(512 * 1024);

    const attempts = scene.throttle.connections();
    await scene.region.kill();
    // Its host gone with it: what it had sent that had not crossed the link does not arrive either. (A killed
    // process's kernel still sends its buffers, megabytes on one machine: enough for the rack to finish the set.)
    scene.throttle.cut();
    // Region down: once the rack has tried to reach it again (two connections turned away since), it still serves
    // the complete previous snapshot and has not published a half set.
    await eventually(() => (scene.throttle.connections() >= attempts + 2 ? true : undefined), 20_000, 'two attempts of the rack turned away');
    expect((await get(`${scene.rack.url}/images/${kernelPath}`)).equals(kernelV1)).toBe(true);
    expect((await wholeCurrent(rackDir))?.name).toBe(before.name);
    const kept = await partialBytes(join(rackDir, 'cache'));

    scene.throttle.setRate(undefined);
    await scene.restartRegion();
    const after = await scene.newSnapshotReported(before);
    expect(await imagesRead(scene.region, 'Synced')).toBe(true);
    // The region's /metrics says the same per rack, for the dashboard.
    // (eventually: a no-op scheduled sync every 2 s reads "syncing" for a moment)
    const synced = /^bootsync_region_rack_status\{rack="rack-down",status="synced"\} 1$/m;
    const regionMetrics = await eventually(async () => {
      const text = await (await request(`${scene.region.url}/metrics`)).body.text();
      return synced.test(text) ? text : undefined;
    }, 10_000, 'the rack synced in the region\'s /metrics');
    expect(regionMetrics).toMatch(/^bootsync_region_rack_last_sync_timestamp_seconds\{rack="rack-down"\} 1\d{9}/m);
    expect((await get(`${scene.rack.url}/images/${kernelPath}`)).equals(kernelV1)).toBe(false);
    // The partial on disk when the region went away was resumed, not fetched again from its start.
    const fetched = (await rackMetric(scene.rack, 'bootsync_rack_bytes_fetched_total')) - fetchedBefore;
    expect(kept).toBeGreaterThan(0);
    expect(fetched).toBeGreaterThan(0);
    expect(fetched).toBeLessThanOrEqual(newBlobBytes(before, after));
  }, 60_000);
});
