import { createHash } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startRack, startRegion, type RegionUnderTest } from '../rack-harness.js';
import { report } from './report.js';

// 20 rack daemons in this process, each with its own HTTP server, data dir, Redis connection and BullMQ worker on
// its own queue, all pulling from one region over real HTTP. As 20 node processes they would spend most of the
// test starting up on 2 cores; what is under load here is the region's registration, queues and stream.
const RACKS = 20;
const MiB = 1024 * 1024;

type ImageFiles = Record<'boot-kernel' | 'boot-initrd' | 'squashfs', Buffer>;

function imageFiles(version: string): ImageFiles {
  const fill = (what: string, size: number): Buffer => Buffer.alloc(size, `${what} ${version} `);
  return { 'boot-kernel': fill('kernel', 1 * MiB), 'boot-initrd': fill('initrd', 2 * MiB), squashfs: fill('root', 4 * MiB) };
}
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const total = (files: Record<string, Buffer>): number => Object.values(files).reduce((n, b) => n + b.length, 0);
const names = Array.from({ length: RACKS }, (_, i) => `rack-${String(i + 1).padStart(2, '0')}`);

let region: RegionUnderTest;
const racks: Awaited<ReturnType<typeof startRack>>[] = [];

beforeAll(async () => {
  region = await startRegion({ intervalMs: 600_000 });
}, 30_000);
afterAll(async () => {
  await Promise.all(racks.map((r) => r.cleanup()));
  await region?.close();
}, 60_000);

/** Files a rack serves that differ from what the region published: each one is bytes lost. */
async function wrongFiles(rackUrl: string, version: string, files: Record<string, Buffer>): Promise<string[]> {
  const wrong: string[] = [];
  for (const [name, bytes] of Object.entries(files)) {
    const res = await request(`${rackUrl}/images/ubuntu/amd64/ga-24.04/noble/stable/${name}`);
    const got = Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode !== 200 || sha256(got) !== sha256(bytes)) wrong.push(`${version}/${name}: HTTP ${res.statusCode}, ${got.length} bytes`);
  }
  return wrong;
}

/** `bootsync_rack_bytes_fetched_total` from a rack's /metrics: every byte it took from the region, all syncs. */
async function fetchedBytes(rackUrl: string): Promise<number> {
  const text = await (await request(`${rackUrl}/metrics`)).body.text();
  return Number(/^bootsync_rack_bytes_fetched_total\{[^}]*\} (\d+)$/m.exec(text)?.[1]);
}

/** Waits until every rack reads synced and holds `version`; the time it took. */
async function allSyncedOn(version: string): Promise<number> {
  const started = performance.now();
  await eventually(async () => {
    const views = await region.racks.list();
    const records = new Map((await region.racks.racks.list()).map((r) => [r.name, r]));
    const done = views.filter((v) => v.status === 'synced' && records.get(v.name)?.holds.some((h) => h.version === version));
    return done.length === RACKS ? true : undefined;
  }, 90_000, `${RACKS} racks synced on ${version}`);
  return Math.round(performance.now() - started);
}

describe(`${RACKS} racks on one region`, () => {
  it('register and sync at once, each reaching synced with the whole image and nothing else', async () => {
    const v1 = imageFiles('20250101');
    await region.publishNoble('20250101', v1);
    const started = performance.now();
    racks.push(...(await Promise.all(names.map((n) => startRack(region, n)))));
    await allSyncedOn('20250101');
    const firstMs = Math.round(performance.now() - started);

    const views = await region.racks.list();
    expect(views.map((v) => v.name)).toEqual(names);
    for (const view of views) {
      expect(view).toMatchObject({ status: 'synced', connected: true, images: [{ name: 'ubuntu/noble', architecture: 'amd64' }] });
      const record = await region.racks.racks.find(view.name);
      expect(record?.lastError).toBeNull();
      expect(record?.holds).toEqual([{ product: expect.stringContaining('noble'), version: '20250101' }]);
    }
    // Each rack fetched every byte once: no double downloads under load.
    expect(await Promise.all(racks.map((r) => fetchedBytes(r.daemon.url)))).toEqual(names.map(() => total(v1)));
    const lost = (await Promise.all(racks.map((r) => wrongFiles(r.daemon.url, '20250101', v1)))).flat();
    expect(lost).toEqual([]);
    expect(await region.racks.imageRackState({ name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' }, '20250101')).toEqual({ allRacksHaveIt: true, someRackSyncing: false });
    report('racks-20 first sync', { racks: RACKS, synced: views.filter((v) => v.status === 'synced').length, bytesPerRack: total(v1), ms: firstMs, filesWrong: lost.length });
  }, 120_000);

  it('move together to a new version after an import, keeping only the changed files to fetch', async () => {
    const v2 = { ...imageFiles('20250201'), squashfs: imageFiles('20250101').squashfs };
    await region.publishNoble('20250201', v2);
    await region.racks.onImportFinished({ changed: true });
    const ms = await allSyncedOn('20250201');

    for (const name of names) expect((await region.racks.racks.find(name))?.lastError).toBeNull();
    // The squashfs did not change: only the kernel and initrd travel again.
    const expected = total(imageFiles('20250101')) + v2['boot-kernel'].length + v2['boot-initrd'].length;
    expect(await Promise.all(racks.map((r) => fetchedBytes(r.daemon.url)))).toEqual(names.map(() => expected));
    const lost = (await Promise.all(racks.map((r) => wrongFiles(r.daemon.url, '20250201', v2)))).flat();
    expect(lost).toEqual([]);
    expect(await region.racks.imageRackState({ name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' }, '20250201')).toEqual({ allRacksHaveIt: true, someRackSyncing: false });
    report('racks-20 second sync', { racks: RACKS, synced: (await region.racks.list()).filter((v) => v.status === 'synced').length, ms, filesWrong: lost.length });
  }, 120_000);
});
