import { rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentStore } from '@bootsync/shared/store';
import { flipByte } from '@bootsync/testkit/damage';
import { inspectCurrent } from '@bootsync/rack/integrity';
import { planSnapshot, publishSnapshot, readCurrent } from '@bootsync/rack/snapshot';
import { bootItem, bootloaderItem, makeTarXz, storeBlob, tempDir } from './rack-fixtures.js';

const KERNEL = 'ubuntu/amd64/ga-24.04/noble/stable/boot-kernel';
const GRUB = 'bootloader/uefi/amd64/grubx64.efi';
/** ga-24.04 (kflavor generic) is the release's generic kernel: MAAS racks lay it out under generic/ too. */
const GENERIC_KERNEL = 'ubuntu/amd64/generic/noble/stable/boot-kernel';
let dir: string;
let cleanup: () => Promise<void>;
let dataDir: string;
let cache: ContentStore;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('inspect'));
  dataDir = join(dir, 'rack');
  cache = new ContentStore({ root: join(dataDir, 'cache'), fsync: false });
  const archive = await makeTarXz(dir, { 'grubx64.efi': 'grub '.repeat(100) });
  for (const blob of ['kernel v1 '.repeat(100), 'root v1', archive]) await storeBlob(cache, blob);
  const items = [bootItem('boot-kernel', 'kernel v1 '.repeat(100)), bootItem('squashfs', 'root v1'), bootloaderItem('grub2-signed', archive)];
  await publishSnapshot({ dataDir, plan: planSnapshot(items), blobPath: (sha) => cache.pathOf(sha) });
});
afterEach(() => cleanup());

const inspect = async () => inspectCurrent((await readCurrent(dataDir))!, cache);

describe('inspectCurrent: the size and mtime check of each sync', () => {
  it('finds nothing in a snapshot as published, whose every file (bootloaders unpacked too) was stamped', async () => {
    const files = (await readCurrent(dataDir))?.manifest.files;
    expect(Object.keys(files ?? {})).toEqual([GRUB, KERNEL, 'ubuntu/amd64/ga-24.04/noble/stable/squashfs', GENERIC_KERNEL, 'ubuntu/amd64/generic/noble/stable/squashfs']);
    expect(files).toEqual({
      [GRUB]: { size: 500, mtimeMs: expect.any(Number) },
      [KERNEL]: { size: 1000, mtimeMs: expect.any(Number) },
      'ubuntu/amd64/ga-24.04/noble/stable/squashfs': { size: 7, mtimeMs: expect.any(Number) },
      [GENERIC_KERNEL]: { size: 1000, mtimeMs: expect.any(Number) },
      'ubuntu/amd64/generic/noble/stable/squashfs': { size: 7, mtimeMs: expect.any(Number) },
    });
    expect(await inspect()).toEqual({ damage: [], uncached: [] });
  });

  it('names a file written to (mtime), cut short (size) or gone (missing), with the blob and image it comes from', async () => {
    const current = (await readCurrent(dataDir))!;
    const kernel = current.manifest.plan.files.find((f) => f.path === KERNEL)!;
    const archive = current.manifest.plan.archives[0]!;
    await flipByte(join(current.dir, KERNEL), 10);
    await truncate(join(current.dir, GRUB), 20);
    await rm(join(current.dir, 'ubuntu/amd64/ga-24.04/noble/stable/squashfs'));
    expect((await inspect()).damage).toEqual([
      { sha256: archive.sha256, file: GRUB, ref: archive.ref, reason: 'size' },
      { sha256: kernel.sha256, file: KERNEL, ref: kernel.ref, reason: 'mtime' },
      { sha256: expect.any(String), file: 'ubuntu/amd64/ga-24.04/noble/stable/squashfs', ref: expect.objectContaining({ item: 'squashfs' }), reason: 'missing' },
      // The generic copy is a hard link of the same kernel: written to as well.
      { sha256: kernel.sha256, file: GENERIC_KERNEL, ref: kernel.ref, reason: 'mtime' },
    ]);
  });

  it('cannot see a flipped bit that left the size and mtime alone (the scrub re-hashes for that), and names a blob gone from the cache', async () => {
    const current = (await readCurrent(dataDir))!;
    await flipByte(join(current.dir, KERNEL), 10, { keepMtime: true });
    const archive = current.manifest.plan.archives[0]!;
    await cache.quarantine(archive.sha256);
    expect(await inspect()).toEqual({ damage: [], uncached: [archive.sha256] });
  });
});
