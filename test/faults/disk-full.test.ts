import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentStore } from '@bootsync/shared/store';
import { createImportHarness, partialBytes, type ImportHarness } from '@bootsync/region/testing';
import { waitFor } from '@bootsync/testkit/wait';
import { mountTmpfs, type Tmpfs } from './tmpfs.js';
import { completeSets, nobleOnly } from './region-state.js';
import { report } from './report.js';

const MiB = 1024 * 1024;
const NEW = '20250801';
// One image family, one version: about 4.3 MiB a version (a 3 MiB squashfs shared by ga and hwe, kernels, initrds).
const SPEC = nobleOnly({ squashfs: 3 * MiB, 'boot-kernel': 256 * 1024, 'boot-initrd': 512 * 1024 });

let h: ImportHarness | undefined;
let fs: Tmpfs | undefined;
afterEach(async () => {
  await h?.close();
  await fs?.unmount();
  h = undefined;
  fs = undefined;
});

/** The tmpfs as the region's store, or a skip saying why no tmpfs could be mounted. */
async function regionOnTmpfs(bytes: number, skip: (note: string) => never): Promise<{ h: ImportHarness; fs: Tmpfs }> {
  const mounted = await mountTmpfs(bytes);
  if ('refused' in mounted) {
    console.warn(`[faults] disk-full skipped: ${mounted.refused}`);
    return skip(mounted.refused);
  }
  fs = mounted;
  h = await createImportHarness({ spec: SPEC, deps: { storeRoot: join(mounted.dir, 'store') } });
  return { h, fs };
}

/**
 * Bytes of complete sets whose blob is missing or no longer hashes to its name, and blobs in the store that do
 * not verify: what a full disk must never cost.
 */
async function damage(harness: ImportHarness, storeRoot: string): Promise<{ bytesLost: number; badBlobs: number }> {
  const store = new ContentStore({ root: storeRoot });
  let bytesLost = 0;
  for (const r of await harness.repos.bootResources.list()) {
    for (const set of (await harness.repos.resourceSets.listForResource(r.id)).filter((s) => s.complete)) {
      for (const file of set.files) if (!(await store.has(file.sha256)) || !(await store.verify(file.sha256))) bytesLost += file.size;
    }
  }
  let badBlobs = 0;
  for (const sha256 of await store.list()) if (!(await store.verify(sha256))) badBlobs += 1;
  return { bytesLost, badBlobs };
}

/** Writes zeros into `file` until the file system is full; returns the bytes it took. */
async function fillUp(file: string): Promise<number> {
  const fh = await open(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    for (;;) written += (await fh.write(chunk)).bytesWritten;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await fh.close();
  }
  return written;
}

describe('the region store on a disk that fills up', () => {
  it('refuses a version that does not fit before writing a byte, keeps the previous set, and imports it once the disk grows', async (ctx) => {
    const { h, fs } = await regionOnTmpfs(8 * MiB, ctx.skip);
    expect((await h.importNow()).outcome).toBe('succeeded');
    expect(await completeSets(h)).toEqual(['amd64/ga-24.04 20250718', 'amd64/hwe-24.04 20250718']);
    await h.mirror.addVersion(NEW);
    h.takeRequests();

    const full = await h.importNow();

    expect(full).toMatchObject({ outcome: 'failed', changed: false });
    const [run] = await h.service.lastRuns(1);
    expect(run?.errors).toEqual([
      expect.objectContaining({ code: 'STORE_INSUFFICIENT_SPACE', item: join(fs.dir, 'store'), message: expect.stringMatching(/\d+ bytes needed, \d+ available/) }),
    ]);
    expect(h.takeRequests().filter((p) => !p.startsWith('/streams/'))).toEqual([]);
    expect(await partialBytes(join(fs.dir, 'store'))).toBe(0);
    expect(await completeSets(h)).toEqual(['amd64/ga-24.04 20250718', 'amd64/hwe-24.04 20250718']);
    const during = await damage(h, join(fs.dir, 'store'));
    expect(during).toEqual({ bytesLost: 0, badBlobs: 0 });

    await fs.resize(16 * MiB);
    const recovered = await h.importNow();

    expect(recovered.outcome).toBe('succeeded');
    expect(await completeSets(h)).toEqual([`amd64/ga-24.04 ${NEW}`, `amd64/hwe-24.04 ${NEW}`]);
    expect(await damage(h, join(fs.dir, 'store'))).toEqual({ bytesLost: 0, badBlobs: 0 });
    report('disk-full (no room up front)', { tmpfs: '8 MiB', neededBytes: Number(/(\d+) bytes needed/.exec(run?.errors[0]?.message ?? '')?.[1]), bytesLost: during.bytesLost, recovered: recovered.outcome });
  });

  it('fails the files cut by ENOSPC mid-download, naming them, publishes no partial blob, and resumes once space is freed', async (ctx) => {
    const { h, fs } = await regionOnTmpfs(16 * MiB, ctx.skip);
    const storeRoot = join(fs.dir, 'store');
    expect((await h.importNow()).outcome).toBe('succeeded');
    const [squashfs] = await h.mirror.addVersion(NEW).then((items) => items.filter((i) => i.ftype === 'squashfs'));
    if (!squashfs) throw new Error('the new version has no squashfs');
    // The squashfs comes slowly, so another writer can fill the disk while it is half written.
    h.server.faults.set(`/${squashfs.path}`, { bytesPerSecond: 2 * MiB, times: 1 });

    const finishing = h.nextFinish();
    await h.service.triggerImport();
    // The squashfs's own partial: the kernel's and initrd's download beside it and would satisfy a total alone,
    // while the squashfs's first write batch (1 MiB) is still in memory.
    const squashfsPartial = join(storeRoot, 'partial', `sha256-${squashfs.sha256}.part`);
    await waitFor('part of the squashfs on disk', async () => ((await stat(squashfsPartial).catch(() => undefined))?.size ?? 0) > 256 * 1024);
    const filler = join(fs.dir, 'other-writer.bin');
    const taken = await fillUp(filler);
    const full = await finishing;

    expect(full).toMatchObject({ outcome: 'failed', changed: false });
    const [run] = await h.service.lastRuns(1);
    expect(run?.errors).toContainEqual(
      expect.objectContaining({
        code: 'STORE_INSUFFICIENT_SPACE',
        item: expect.stringContaining(`/${NEW}/squashfs`),
        message: expect.stringMatching(new RegExp(`/${NEW}/squashfs: disk full while writing ${storeRoot}/partial/\\S+\\.part: \\d+ bytes needed, \\d+ available`)),
      }),
    );
    expect(run?.errors.map((e) => e.code)).not.toContain('IMPORT_ERR_UNEXPECTED');
    expect(await new ContentStore({ root: storeRoot }).has(squashfs.sha256)).toBe(false);
    expect(await completeSets(h)).toEqual(['amd64/ga-24.04 20250718', 'amd64/hwe-24.04 20250718']);
    const during = await damage(h, storeRoot);
    expect(during).toEqual({ bytesLost: 0, badBlobs: 0 });
    const kept = await partialBytes(storeRoot);

    await rm(filler);
    h.takeRequests();
    const recovered = await h.importNow();

    expect(recovered.outcome).toBe('succeeded');
    expect(await completeSets(h)).toEqual([`amd64/ga-24.04 ${NEW}`, `amd64/hwe-24.04 ${NEW}`]);
    expect(await damage(h, storeRoot)).toEqual({ bytesLost: 0, badBlobs: 0 });
    const resumed = h.server.requests.filter((r) => r.path === `/${squashfs.path}`).at(-1);
    expect(kept).toBeGreaterThan(0);
    expect(resumed?.range).toBe(`bytes=${kept}-`);
    report('disk-full (ENOSPC mid-download)', { tmpfs: '16 MiB', fillerBytes: taken, errors: run?.errors.map((e) => `${e.code} ${e.item.split('/').slice(-2).join('/')}`).join(' | '), partialKept: kept, resumedWith: resumed?.range ?? 'no Range', bytesLost: during.bytesLost });
  });
});
