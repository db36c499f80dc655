import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { DEFAULT_RELEASES, createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { partialBytes } from '../packages/region/test/import-harness.js';
import { eventually } from './rack-harness.js';
import {
  freePort, imagesRead, rackController, rackMetric, startRackBin, startRegionBin, startThrottle, wholeCurrent,
  type Daemon, type RegionBin,
} from './rack-daemons.js';

const MiB = 1024 * 1024;
const NOBLE = DEFAULT_RELEASES.find((r) => r.release === 'noble')!;
let dir: string;
let mirror: GeneratedMirror;
let source: MisbehavingServer;
let region: RegionBin;
let throttle: Awaited<ReturnType<typeof startThrottle>>;
let rack: Daemon;
const cleanups: (() => Promise<unknown>)[] = [];

const get = async (url: string): Promise<Buffer> => Buffer.from(await (await request(url)).body.arrayBuffer());

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bootsync-region-down-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'upstream'));
  mirror = await createSignedMirror(join(dir, 'upstream'), {
    bootloaders: false, centos: false, releases: [NOBLE], arches: ['amd64'], versions: ['20250718'], sizes: { squashfs: 4 * MiB },
  });
  source = await startMisbehavingServer({ root: mirror.root });
  cleanups.push(() => source.close());
  region = await startRegionBin({
    dataDir: join(dir, 'region'), listen: `127.0.0.1:${await freePort()}`, redisUrl: testRedisUrl, sourceUrl: `${source.url}/`, keyring: mirror.keyring.binary,
  });
  cleanups.push(() => region.dropRedisKeys(), () => region.kill());
  await eventually(() => imagesRead(region, 'Synced'), 20_000, 'the first import');
  throttle = await startThrottle(region.url, undefined);
  cleanups.push(() => throttle.close());
  rack = await startRackBin({ regionUrl: throttle.url, secretFile: region.secretFile, name: 'rack-down', dataDir: join(dir, 'rack'), redisUrl: testRedisUrl });
  cleanups.push(() => rack.kill());
  await eventually(async () => ((await rackController(region, 'rack-down')).image_sync_status === 'synced' ? true : undefined), 20_000, 'the rack synced');
}, 60_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('the region goes down while a rack syncs', () => {
  it('the rack keeps serving its snapshot, retries, and completes with the partial resumed once the region is back', async () => {
    const rackDir = join(dir, 'rack');
    const before = (await wholeCurrent(rackDir))!;
    const kernelPath = before.plan.files.find((f) => f.path.endsWith('/boot-kernel'))!.path;
    const kernelV1 = await get(`${rack.url}/images/${kernelPath}`);
    const fetchedBefore = await rackMetric(rack, 'bootsync_rack_bytes_fetched_total');

    await mirror.addVersion('20250801');
    throttle.setRate(1 * MiB);
    await region.api('boot-resources/?op=import', 'POST');
    await eventually(() => imagesRead(region, 'Syncing to rack controller(s)'), 20_000, 'the rack syncing the new set');
    await eventually(async () => ((await partialBytes(join(rackDir, 'cache'))) > 512 * 1024 ? true : undefined), 20_000, 'a partial squashfs on the rack');

    await region.kill();
    // Region down: the rack still serves the complete previous snapshot, and is not publishing a half set.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await get(`${rack.url}/images/${kernelPath}`)).equals(kernelV1)).toBe(true);
    expect((await wholeCurrent(rackDir))?.name).toBe(before.name);
    const kept = await partialBytes(join(rackDir, 'cache'));

    throttle.setRate(undefined);
    region = await startRegionBin({
      dataDir: region.dataDir, listen: new URL(region.url).host, redisUrl: testRedisUrl, sourceUrl: `${source.url}/`, keyring: mirror.keyring.binary,
    });
    const after = await eventually(async () => {
      const current = await wholeCurrent(rackDir);
      const synced = (await rackController(region, 'rack-down')).image_sync_status === 'synced';
      return synced && current && current.name !== before.name ? current : undefined;
    }, 40_000, 'the new set published on the rack and reported');
    expect(await imagesRead(region, 'Synced')).toBe(true);
    expect((await get(`${rack.url}/images/${kernelPath}`)).equals(kernelV1)).toBe(false);
    // The partial on disk when the region went away was resumed, not fetched again from its start.
    const held = new Set(before.plan.files.map((f) => f.sha256));
    const newBytes = [...new Map(after.plan.files.filter((f) => !held.has(f.sha256)).map((f) => [f.sha256, f.size])).values()].reduce((a, b) => a + b, 0);
    const fetched = (await rackMetric(rack, 'bootsync_rack_bytes_fetched_total')) - fetchedBefore;
    expect(kept).toBeGreaterThan(0);
    expect(fetched).toBeGreaterThan(0);
    expect(fetched).toBeLessThanOrEqual(newBytes);
  }, 60_000);
});
