import { createHash } from 'node:crypto';
import { access, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flipByte } from '@bootsync/testkit/damage';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { eventually } from '@bootsync/testkit/wait';
import { imagesRead, startRackScene, wholeCurrent, type RackScene, type RegionBin } from './rack-daemons.js';

const KiB = 1024;
const VERSION = '20250718';
let scene: RackScene;

beforeAll(async () => {
  scene = await startRackScene({
    rack: 'rack-repair',
    redisUrl: testRedisUrl,
    squashfsBytes: 512 * KiB,
    sizes: { 'boot-kernel': 256 * KiB },
    regionFlags: ['--scrub-interval', '1s'],
  });
}, 60_000);
afterAll(async () => scene?.close());

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function item(ftype: string): { path: string; sha256: string; size: number } {
  const found = scene.mirror.items.find((i) => i.ftype === ftype && i.ref.product.endsWith(':ga-24.04'));
  if (!found) throw new Error(`no ${ftype} of noble amd64 ga-24.04 in the mirror`);
  return found;
}

const blobPath = (region: RegionBin, sha: string): string => join(region.dataDir, 'store', 'sha256', sha.slice(0, 2), sha);
const streamPath = (filename: string): string => `/MAAS/images-stream/ubuntu/amd64/ga-24.04/noble/${VERSION}/${filename}`;


interface SetView {
  readonly complete: boolean;
}
interface ResourceView {
  readonly id: number;
  readonly name: string;
  readonly architecture: string;
  readonly status: string;
  readonly sets?: Record<string, SetView>;
}

/** `maas $PROFILE boot-resource read ID` of ubuntu/noble amd64/ga-24.04. */
async function nobleGa(region: RegionBin): Promise<ResourceView> {
  const all = (await region.api('boot-resources/')) as ResourceView[];
  const listed = all.find((r) => r.name === 'ubuntu/noble' && r.architecture === 'amd64/ga-24.04');
  if (!listed) throw new Error('ubuntu/noble amd64/ga-24.04 is not listed');
  return (await region.api(`boot-resources/${listed.id}/`)) as ResourceView;
}

async function regionMetric(region: RegionBin, name: string): Promise<number> {
  const text = await (await request(`${region.url}/metrics`)).body.text();
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  if (!match) throw new Error(`${name} is not in the region's /metrics`);
  return Number(match[1]);
}

/** What the rack serves a booting machine at the kernel's path. */
async function rackKernel(): Promise<Buffer> {
  const response = await request(`${scene.rack.url}/images/ubuntu/amd64/ga-24.04/noble/stable/boot-kernel`);
  expect(response.statusCode).toBe(200);
  return Buffer.from(await response.body.arrayBuffer());
}

describe('the region store, damaged', () => {
  it('a flipped byte is found by the scrub, moved aside, never served, and fetched again; the rack keeps its copy', { timeout: 60_000 }, async () => {
    const { region } = scene;
    const kernel = item('boot-kernel');
    const before = (await wholeCurrent(scene.rackDir))!;
    // The repair download is slow, so what the region does meanwhile can be watched.
    scene.source.faults.set(`/${kernel.path}`, { bytesPerSecond: 64 * KiB });
    await flipByte(blobPath(region, kernel.sha256), 1000);

    await eventually(() => region.events().find((e) => e.event === 'region.scrub.mismatch' && e.sha256 === kernel.sha256), 15_000, 'the scrub finding the flipped byte');
    const damaged = await eventually(async () => {
      const resource = await nobleGa(region);
      return resource.sets?.[VERSION]?.complete === false ? resource : undefined;
    }, 5_000, 'the set read incomplete');
    expect(damaged.status).toMatch(/^(Queued for download|Downloading \d+%)$/);
    // Until repaired: the region offers no byte of it, the rack serves what it verified before.
    expect((await region.get(streamPath('boot-kernel'))).status).toBe(404);
    expect(sha256(await rackKernel())).toBe(kernel.sha256);
    const moved = join(region.dataDir, 'store', 'quarantine', kernel.sha256);
    expect(sha256(await readFile(moved))).not.toBe(kernel.sha256);

    scene.source.faults.clear(`/${kernel.path}`);
    await eventually(() => region.events().find((e) => e.event === 'import.blob.repaired' && e.sha256 === kernel.sha256), 20_000, 'the repair');
    await eventually(() => imagesRead(region, 'Synced'), 20_000, 'the images synced again');
    const served = await region.get(streamPath('boot-kernel'));
    expect(served.status).toBe(200);
    expect(sha256(served.body)).toBe(kernel.sha256);
    expect(sha256(await readFile(blobPath(region, kernel.sha256)))).toBe(kernel.sha256);
    expect((await nobleGa(region)).sets?.[VERSION]?.complete).toBe(true);
    expect(await regionMetric(region, 'bootsync_region_scrub_mismatches_total')).toBe(1);
    expect(await regionMetric(region, 'bootsync_region_store_repairs_total')).toBe(1);
    expect(await regionMetric(region, 'bootsync_region_scrub_runs_total')).toBeGreaterThanOrEqual(1);
    expect(await regionMetric(region, 'bootsync_region_scrub_bytes_checked_total')).toBeGreaterThan(0);
    // The rack never lost the image: the same kernel bytes all along, in a whole snapshot.
    expect(sha256(await rackKernel())).toBe(kernel.sha256);
    const after = (await wholeCurrent(scene.rackDir))!;
    expect(after.plan.files.map((f) => f.sha256).sort()).toEqual(before.plan.files.map((f) => f.sha256).sort());
  });

  it('a blob deleted while the region is stopped is fetched again by the start-up import', { timeout: 60_000 }, async () => {
    const squashfs = item('squashfs');
    await scene.region.stop();
    await rm(blobPath(scene.region, squashfs.sha256));
    const region = await scene.restartRegion();

    const found = await eventually(() => region.events().find((e) => e.event === 'import.blob.damaged' && e.sha256 === squashfs.sha256), 15_000, 'the import finding the missing blob');
    expect(found).toMatchObject({ reason: 'missing' });
    expect(String(found.image)).toContain('ubuntu/noble amd64/ga-24.04');
    await eventually(() => region.events().find((e) => e.event === 'import.blob.repaired' && e.sha256 === squashfs.sha256), 20_000, 'the repair');
    expect(region.events().find((e) => e.event === 'import.planned')).toMatchObject({ files: 1, bytes: squashfs.size });
    await eventually(() => imagesRead(region, 'Synced'), 20_000, 'the images synced again');
    const served = await region.get(streamPath('squashfs'));
    expect(served.status).toBe(200);
    expect(sha256(served.body)).toBe(squashfs.sha256);
    await access(blobPath(region, squashfs.sha256));
  });
});
