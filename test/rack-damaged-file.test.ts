import { readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flipByte } from '@bootsync/testkit/damage';
import { capturingLogger } from '@bootsync/testkit/logs';
import { eventually, KERNEL_PATH, startRack, startRegion, type RegionUnderTest } from './rack-harness.js';

const NOBLE = { name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' };
const v1 = { 'boot-kernel': Buffer.alloc(1_100_000, 'kernel 20250101 '), squashfs: Buffer.alloc(2_800_000, 'root 20250101 ') };
const { logger, lines } = capturingLogger('rack-check');
let region: RegionUnderTest;
let rack: Awaited<ReturnType<typeof startRack>>;

beforeAll(async () => {
  region = await startRegion({ intervalMs: 60_000 });
  await region.publishNoble('20250101', v1);
  // No scrub: only the size/mtime check of each sync can find the change.
  rack = await startRack(region, 'rack-check', { logger, settings: { 'scrub-interval': '0' } });
  await eventually(async () => ((await region.racks.get('rack-check')).status === 'synced' ? true : undefined), 15_000, 'rack-check synced');
}, 30_000);
afterAll(async () => {
  await rack?.cleanup();
  await region?.close();
});

const get = async (path: string) => {
  const r = await request(`${rack.daemon.url}/images/${path}`);
  return { status: r.statusCode, body: Buffer.from(await r.body.arrayBuffer()) };
};
const metric = async (name: string): Promise<number> => {
  const text = await (await request(`${rack.daemon.url}/metrics`)).body.text();
  return Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1]);
};
const failureAfter = (at: string) =>
  eventually(async () => {
    const error = (await region.racks.racks.find('rack-check'))?.lastError;
    return error && error.at > at ? error : undefined;
  }, 15_000, 'a failed sync recorded');

describe('a file of current changed on the rack disk (found by the next sync)', () => {
  it('is withheld at once (404, never the wrong bytes), the image reads not synced while the repair fails, and a repaired snapshot serves it again', async () => {
    const snapshot = await readlink(join(rack.dataDir, 'current'));
    await flipByte(join(rack.dataDir, 'current', KERNEL_PATH), 500_000);
    // The region's own copy is damaged too, so the repair cannot complete yet.
    const sha = (await region.racks.stream()).files.get('ubuntu/amd64/ga-24.04/noble/20250101/boot-kernel')!.sha256;
    await writeFile(region.store.pathOf(sha), Buffer.alloc(v1['boot-kernel'].length, 'rotten '));
    const asked = new Date().toISOString();
    await region.racks.importBootImages('rack-check');

    const failed = await failureAfter(asked);
    expect(failed.code).toBe('STORE_CHECKSUM_MISMATCH');
    expect(await get(KERNEL_PATH)).toMatchObject({ status: 404 });
    expect((await get('ubuntu/amd64/ga-24.04/noble/stable/squashfs')).body.equals(v1.squashfs)).toBe(true);
    expect(lines.filter((l) => l.event === 'rack.scrub.mismatch')).toEqual([
      expect.objectContaining({ image: 'maas:boot:ubuntu:amd64:ga-24.04:noble', version: '20250101', file: KERNEL_PATH, sha256: sha, reason: 'mtime' }),
    ]);
    expect(await metric('bootsync_rack_scrub_mismatches_total')).toBe(1);
    expect((await region.racks.get('rack-check')).status).toBe('out-of-sync');
    expect(await region.racks.imageRackState(NOBLE, '20250101')).toEqual({ allRacksHaveIt: false, someRackSyncing: false });

    // The region repaired: the next sync fetches the blob again and publishes a repaired snapshot.
    await writeFile(region.store.pathOf(sha), v1['boot-kernel']);
    await region.racks.importBootImages('rack-check');
    await eventually(async () => ((await region.racks.get('rack-check')).status === 'synced' ? true : undefined), 15_000, 'synced again');
    expect((await get(KERNEL_PATH)).body.equals(v1['boot-kernel'])).toBe(true);
    expect(await readlink(join(rack.dataDir, 'current'))).not.toBe(snapshot);
    expect(await region.racks.imageRackState(NOBLE, '20250101')).toEqual({ allRacksHaveIt: true, someRackSyncing: false });
    expect(await metric('bootsync_rack_scrub_repairs_total')).toBe(1);
    expect(lines.filter((l) => l.event === 'rack.scrub.mismatch')).toHaveLength(1);
    expect(lines.find((l) => l.event === 'rack.scrub.repaired')).toMatchObject({ files: 1 });
  });
});
