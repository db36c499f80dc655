import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RELEASES, createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { startMisbehavingServer } from '@bootsync/testkit/http';
import { freePort } from '@bootsync/testkit/net';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { partialBytes } from '@bootsync/region/testing';
import { STREAM_INDEX_PATH, STREAM_PATH } from '@bootsync/shared/rack-protocol';
import { eventually } from './rack-harness.js';
import { rackController, startRackBin, startRegionBin, startThrottle, wholeCurrent, type Daemon, type RegionBin } from './rack-daemons.js';
import { startRegionStandIn, type RegionStandIn } from './region-standin.js';

const MiB = 1024 * 1024;
let dir: string;
let mirror: GeneratedMirror;
let region: RegionBin;
let throttle: Awaited<ReturnType<typeof startThrottle>>;
let standIn: RegionStandIn;
const cleanups: (() => Promise<unknown>)[] = [];

/**
 * A real region (its bin) reached through a throttle, as a rack on a slow link reaches it, advertising that address;
 * and a stand-in for a second region of the cluster (region-standin.ts says why and what it is).
 */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bootsync-rack-failover-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const noble = DEFAULT_RELEASES.filter((r) => r.release === 'noble');
  mirror = await createSignedMirror(join(dir, 'upstream'), {
    bootloaders: false, centos: false, releases: noble, arches: ['amd64'], versions: ['20250718'], sizes: { squashfs: 4 * MiB },
  });
  const source = await startMisbehavingServer({ root: mirror.root });
  cleanups.push(() => source.close());
  const port = await freePort();
  throttle = await startThrottle(`http://127.0.0.1:${port}`, undefined);
  cleanups.push(() => throttle.close());
  region = await startRegionBin({
    dataDir: join(dir, 'region'), redisUrl: testRedisUrl, sourceUrl: `${source.url}/`, keyring: mirror.keyring.binary,
    listen: `127.0.0.1:${port}`, flags: ['--advertise-url', throttle.url],
  });
  cleanups.push(() => region.dropRedisKeys(), () => region.kill());
  standIn = await startRegionStandIn(join(dir, 'stand-in'));
  cleanups.push(() => standIn.close());
  await eventually(async () => ((await region.get(`${STREAM_PATH}${STREAM_INDEX_PATH}`)).status === 200 ? true : undefined), 20_000, 'the first import published');
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function startRack(name: string, regionUrls: readonly string[]): Promise<{ rack: Daemon; dataDir: string }> {
  const dataDir = join(dir, name);
  const rack = await startRackBin({ regionUrl: regionUrls, secretFile: region.secretFile, name, dataDir, redisUrl: testRedisUrl });
  cleanups.push(() => rack.kill());
  return { rack, dataDir };
}

describe('a rack that knows several regions', () => {
  it('registers with a region it remembers when the one it is configured with is gone for good, and remembers the live ones', async () => {
    const gone = `http://127.0.0.1:${await freePort()}`;
    const dataDir = join(dir, 'rack-remembers');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'regions.json'), JSON.stringify({ regions: [throttle.url] }));
    const { rack } = await startRack('rack-remembers', [gone]);

    const events = rack.events();
    expect(events.find((e) => e.event === 'rack.region.changed')).toMatchObject({ rack: 'rack-remembers', from: gone, region: throttle.url });
    expect(events.find((e) => e.event === 'rack.registered')).toMatchObject({ region: throttle.url, regions: [gone, throttle.url] });
    // What the region advertises (--advertise-url), written anew by this registration.
    expect(JSON.parse(await readFile(join(dataDir, 'regions.json'), 'utf8'))).toEqual({ regions: [throttle.url] });
    await eventually(async () => ((await rackController(region, 'rack-remembers')).image_sync_status === 'synced' ? true : undefined), 20_000, 'rack-remembers synced');
    expect(await rack.stop()).toBe(0);
  }, 60_000);

  it('finishes a sync from the other region when the one it syncs from is killed, and its /images/ never fails meanwhile', async () => {
    const { rack, dataDir } = await startRack('rack-failover', [throttle.url, standIn.url]);
    await eventually(async () => ((await rackController(region, 'rack-failover')).image_sync_status === 'synced' ? true : undefined), 20_000, 'the first sync');
    const before = (await wholeCurrent(dataDir))!;
    const kernelPath = before.plan.files.find((f) => f.path.endsWith('/boot-kernel'))!.path;

    // Machines booting from the rack all along: one request every 100 ms.
    const polls = { done: 0, failed: [] as string[], stop: false };
    const polling = (async () => {
      while (!polls.stop) {
        const answer = await request(`${rack.url}/images/${kernelPath}`).then(
          async (r) => ((await r.body.arrayBuffer()).byteLength > 0 && r.statusCode === 200 ? undefined : `HTTP ${r.statusCode}`),
          (err: unknown) => String(err),
        );
        polls.done += 1;
        if (answer !== undefined) polls.failed.push(answer);
        await sleep(100);
      }
    })();

    const indexBefore = (await region.get(`${STREAM_PATH}${STREAM_INDEX_PATH}`)).body.toString();
    await mirror.addVersion('20250801');
    throttle.setRate(512 * 1024);
    await region.api('boot-resources/?op=import', 'POST');
    await eventually(async () => ((await region.get(`${STREAM_PATH}${STREAM_INDEX_PATH}`)).body.toString() !== indexBefore ? true : undefined), 30_000, 'the new set published');
    // The other region holds the same sets (what a cluster's publication ensures).
    await standIn.copyFrom(region.url, region.authorization);
    await eventually(async () => ((await partialBytes(join(dataDir, 'cache'))) > 256 * 1024 ? true : undefined), 20_000, 'the rack half-way through a file');

    // The region's host goes down: the process, and what the link still held for the rack (the throttle reads ahead
    // of the rate it sends at, megabytes a real link would not hold in flight).
    const killedAt = Date.now();
    await region.kill();
    throttle.cut();
    const published = await eventually(() => rack.events().find((e) => e.event === 'rack.sync.published' && Date.parse(String(e.time)) > killedAt), 40_000, 'the sync published from the other region');
    const after = (await wholeCurrent(dataDir))!;
    polls.stop = true;
    await polling;

    const changed = rack.events().filter((e) => e.event === 'rack.region.changed');
    expect(changed).toEqual([expect.objectContaining({ rack: 'rack-failover', from: throttle.url, region: standIn.url })]);
    expect(rack.events().filter((e) => e.event === 'rack.sync.failed')).toEqual([]);
    expect(after.name).not.toBe(before.name);
    expect(after.name).toBe(published.snapshot);
    expect(after.plan.files.find((f) => f.path === kernelPath)!.sha256).not.toBe(before.plan.files.find((f) => f.path === kernelPath)!.sha256);
    // The partials the killed region left were resumed at the other, not fetched again from their start.
    const resumed = standIn.requests.filter((r) => r.status === 206 && /^bytes=[1-9]\d*-$/.test(r.range ?? ''));
    expect(resumed.length).toBeGreaterThan(0);
    expect(polls.failed).toEqual([]);
    expect(polls.done).toBeGreaterThan(10);
    const since = (e: Record<string, unknown>): number => Date.parse(String(e.time)) - killedAt;
    console.log(`[failover] region killed mid-sync: changedRegionMs=${since(changed[0]!)} publishedMs=${since(published)} resumedFiles=${resumed.length} imagesPolls=${polls.done} imagesFailed=${polls.failed.length}`);
  }, 120_000);
});
