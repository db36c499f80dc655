import { writeFile } from 'node:fs/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWithRegion } from '@bootsync/shared/rack-protocol';
import { eventually, KERNEL_PATH, silent, startRack, startRegion, type RegionUnderTest } from './rack-harness.js';

let region: RegionUnderTest;
let rack: Awaited<ReturnType<typeof startRack>>;
const v1 = { 'boot-kernel': Buffer.from('kernel 20250101 '.repeat(70_000)), squashfs: Buffer.from('root 20250101 '.repeat(200_000)) };

beforeAll(async () => {
  region = await startRegion({ intervalMs: 60_000 });
  await region.publishNoble('20250101', v1);
  rack = await startRack(region, 'rack-a');
}, 30_000);
afterAll(async () => {
  await rack?.cleanup();
  await region?.close();
});

const get = async (url: string, headers: Record<string, string> = {}) => {
  const r = await request(url, { headers });
  return { status: r.statusCode, body: Buffer.from(await r.body.arrayBuffer()) };
};

describe('a rack syncing from its region through BullMQ', () => {
  it('syncs at registration and serves what the region holds; the region reports it synced', async () => {
    const view = await eventually(async () => (await region.racks.list()).find((r) => r.status === 'synced'), 15_000, 'rack-a synced');
    expect(view).toMatchObject({ name: 'rack-a', connected: true, images: [{ name: 'ubuntu/noble', architecture: 'amd64', subarches: ['ga-24.04'] }] });
    const kernel = await get(`${rack.daemon.url}/images/${KERNEL_PATH}`);
    expect(kernel.status).toBe(200);
    expect(kernel.body.equals(v1['boot-kernel'])).toBe(true);
    expect(await region.racks.imageRackState({ name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' }, '20250101')).toEqual({ allRacksHaveIt: true, someRackSyncing: false });
    const metrics = (await get(`${rack.daemon.url}/metrics`)).body.toString();
    // A duration, not a bound on it: a first sync on a loaded machine can take more than a second.
    const duration = /^bootsync_rack_last_sync_duration_seconds\{rack="rack-a"\} (\S+)$/m.exec(metrics)?.[1];
    expect(Number(duration)).toBeGreaterThan(0);
    expect(metrics).toMatch(/^bootsync_rack_last_sync_age_seconds\{rack="rack-a"\} \d/m);
  });

  it('serves the region stream only to authenticated racks, and refuses a wrong secret at registration', async () => {
    const index = `${region.url}/MAAS/images-stream/streams/v1/index.json`;
    expect((await get(index)).status).toBe(401);
    expect((await get(index, { authorization: 'Bearer not-a-token' })).status).toBe(401);
    await expect(registerWithRegion({ regionUrl: region.url, name: 'intruder', secret: 'wrong', secretFile: '/nowhere', logger: silent })).rejects.toMatchObject({
      code: 'RACK_REGISTRATION_REFUSED',
    });
  });

  it('refuses a file corrupted on the region disk, reports it, and keeps serving the previous snapshot', async () => {
    const v2 = { 'boot-kernel': Buffer.from('kernel 20250201 '.repeat(70_000)), squashfs: v1.squashfs };
    await region.publishNoble('20250201', v2);
    const sha = (await region.racks.stream()).files.get('ubuntu/amd64/ga-24.04/noble/20250201/boot-kernel')!.sha256;
    await writeFile(region.store.pathOf(sha), Buffer.from('kernel 20250201 '.repeat(70_000)).fill(0x41, 1000, 1010));
    await region.racks.onImportFinished({ changed: true });

    const failed = await eventually(async () => (await region.racks.racks.find('rack-a'))?.lastError ?? undefined, 15_000, 'a recorded failure');
    expect(failed.code).toBe('STORE_CHECKSUM_MISMATCH');
    expect((await region.racks.get('rack-a')).status).toBe('out-of-sync');
    const kernel = await get(`${rack.daemon.url}/images/${KERNEL_PATH}`);
    expect(kernel.body.equals(v1['boot-kernel'])).toBe(true);
    const metrics = (await get(`${rack.daemon.url}/metrics`)).body.toString();
    expect(metrics).toMatch(/bootsync_rack_verification_failures_total\{rack="rack-a"\} [1-9]/);

    // Repaired on the region: the next sync publishes it.
    await writeFile(region.store.pathOf(sha), v2['boot-kernel']);
    await region.racks.onImportFinished({ changed: true });
    await eventually(async () => ((await region.racks.get('rack-a')).status === 'synced' ? true : undefined), 15_000, 'synced again');
    expect((await get(`${rack.daemon.url}/images/${KERNEL_PATH}`)).body.equals(v2['boot-kernel'])).toBe(true);
  });

  it('refuses a file whose size the region stream misstates, and keeps serving what it had', async () => {
    const served = await get(`${rack.daemon.url}/images/${KERNEL_PATH}`);
    const kernel = Buffer.from('kernel 20250301 '.repeat(70_000));
    await region.publishNoble('20250301', { 'boot-kernel': kernel, squashfs: v1.squashfs }, { 'boot-kernel': kernel.length - 16 });
    await region.racks.onImportFinished({ changed: true });
    const failed = await eventually(async () => {
      const error = (await region.racks.racks.find('rack-a'))?.lastError;
      return error && error.message.includes('20250301') ? error : undefined;
    }, 15_000, 'the misstated size refused');
    expect(failed.code).toBe('STORE_SIZE_MISMATCH');
    expect((await get(`${rack.daemon.url}/images/${KERNEL_PATH}`)).body.equals(served.body)).toBe(true);
  });

  it('deregisters a rack: its record goes and it no longer counts for any image', async () => {
    await region.racks.deregister('rack-a');
    expect(await region.racks.racks.find('rack-a')).toBeUndefined();
    expect(await region.racks.list()).toEqual([]);
    expect(await region.racks.imageRackState({ name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' }, '20250201')).toBeUndefined();
  });
});
