import { lstat, mkdir, readFile, readlink, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentStore } from '@bootsync/shared/store';
import { planSnapshot, publishSnapshot, pruneDataDir, readCurrent, type PublishStep } from '@bootsync/rack/snapshot';
import { bootItem, bootloaderItem, makeTarXz, storeBlob, tempDir } from './rack-fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let dataDir: string;
let cache: ContentStore;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('publish'));
  dataDir = join(dir, 'rack');
  cache = new ContentStore({ root: join(dataDir, 'cache'), fsync: false });
});
afterEach(() => cleanup());

async function storedPlan(contents: Record<string, string>, over: Record<string, string> = {}, version?: string) {
  const items = [];
  for (const [name, content] of Object.entries(contents)) {
    await storeBlob(cache, content);
    items.push(bootItem(name, content, over, version));
  }
  return planSnapshot(items);
}

const publish = (plan: ReturnType<typeof planSnapshot>, afterStep?: (s: PublishStep) => void) =>
  publishSnapshot({ dataDir, plan, blobPath: (sha) => cache.pathOf(sha), ...(afterStep ? { afterStep } : {}) });

describe('publishSnapshot', () => {
  it('lays images out as MAAS racks do, as hard links to the cache, behind a relative current link', async () => {
    const plan = await storedPlan({ 'boot-kernel': 'kernel v1', 'boot-initrd': 'initrd v1', squashfs: 'root v1' });
    const published = await publish(plan);

    expect(await readlink(join(dataDir, 'current'))).toBe(published.name);
    expect(published.name).toMatch(/^snapshot-\d{8}-\d{6}-\d{3}$/);
    const kernel = join(dataDir, 'current/ubuntu/amd64/ga-24.04/noble/stable/boot-kernel');
    expect(await readFile(kernel, 'utf8')).toBe('kernel v1');
    const linked = await stat(kernel);
    const blob = await stat(cache.pathOf(plan.files.find((f) => f.path.endsWith('boot-kernel'))!.sha256));
    expect(linked.ino).toBe(blob.ino);
    // ga-24.04 (kflavor generic) is also the release's generic kernel, as MAAS racks link it.
    expect((await readCurrent(dataDir))?.manifest.plan.files.map((f) => f.path)).toEqual(
      ['ga-24.04', 'generic'].flatMap((s) => ['boot-initrd', 'boot-kernel', 'squashfs'].map((f) => `ubuntu/amd64/${s}/noble/stable/${f}`)),
    );
  });

  it('unpacks bootloader archives under bootloader/<type>/<arch>/', async () => {
    const grub = await makeTarXz(dir, { 'grubx64.efi': 'grub', 'grub/x86_64-efi/normal.mod': 'mod' });
    const shim = await makeTarXz(dir, { 'bootx64.efi': 'shim' });
    await storeBlob(cache, grub);
    await storeBlob(cache, shim);
    await publish(planSnapshot([bootloaderItem('grub2-signed', grub), bootloaderItem('shim-signed', shim)]));

    const root = join(dataDir, 'current/bootloader/uefi/amd64');
    expect((await readdir(root)).sort()).toEqual(['bootx64.efi', 'grub', 'grubx64.efi']);
    expect(await readFile(join(root, 'grub/x86_64-efi/normal.mod'), 'utf8')).toBe('mod');
  });

  it.each([
    ['a member climbing out with ..', { x: 'x' }, ['-P', '--transform=s,^,../,', 'x'], '../x'],
    ['an absolute member', { x: 'x' }, ['-P', '/etc/hostname'], '/etc/hostname'],
  ])('refuses an archive with %s and keeps the previous snapshot', async (_label, files, tarArgs, member) => {
    const before = await publish(await storedPlan({ 'boot-kernel': 'k' }));
    const hostile = await makeTarXz(dir, files, tarArgs);
    await storeBlob(cache, hostile);

    await expect(publish(planSnapshot([bootloaderItem('grub2-signed', hostile)]))).rejects.toMatchObject({ code: 'RACK_UNSAFE_ARCHIVE', member });
    expect(await readlink(join(dataDir, 'current'))).toBe(before.name);
    expect((await readdir(dataDir)).filter((e) => e.endsWith('.partial'))).toEqual([]);
  });

  it('refuses an archive whose symlink leads outside its directory', async () => {
    const src = join(dir, 'link-src');
    await mkdir(src);
    await symlink('/etc', join(src, 'etc-link'));
    await writeFile(join(src, 'ok'), 'ok');
    const hostile = await makeTarXz(dir, {}, ['-C', src, 'etc-link', 'ok']);
    await storeBlob(cache, hostile);
    await expect(publish(planSnapshot([bootloaderItem('grub2-signed', hostile)]))).rejects.toMatchObject({
      code: 'RACK_UNSAFE_ARCHIVE',
      member: 'etc-link',
    });
    await expect(lstat(join(dataDir, 'current'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses to publish when a blob is missing from the cache', async () => {
    const before = await publish(await storedPlan({ 'boot-kernel': 'k1' }));
    const plan = planSnapshot([bootItem('boot-kernel', 'never stored')]);
    await expect(publish(plan)).rejects.toMatchObject({ code: 'RACK_SNAPSHOT_BLOB_MISSING', path: 'ubuntu/amd64/ga-24.04/noble/stable/boot-kernel' });
    expect(await readlink(join(dataDir, 'current'))).toBe(before.name);
  });

  it.each<PublishStep>(['linked', 'unpacked', 'manifest-written', 'renamed'])(
    'a crash after step %s leaves current on the previous complete snapshot, and pruning clears the rest',
    async (failAt) => {
      const before = await publish(await storedPlan({ 'boot-kernel': 'kernel v1', squashfs: 'root v1' }, {}, '20250101'));
      const next = await storedPlan({ 'boot-kernel': 'kernel v2', squashfs: 'root v2' }, {}, '20250201');
      const crash = new Error(`crash after ${failAt}`);
      await expect(publish(next, (step) => {
        if (step === failAt) throw crash;
      })).rejects.toBe(crash);

      const current = await readCurrent(dataDir);
      expect(current?.name).toBe(before.name);
      expect(await readFile(join(dataDir, 'current/ubuntu/amd64/ga-24.04/noble/stable/boot-kernel'), 'utf8')).toBe('kernel v1');
      await pruneDataDir({ dataDir, cache });
      expect((await readdir(dataDir)).sort()).toEqual(['cache', 'current', before.name]);
      expect(await readFile(join(dataDir, 'current/ubuntu/amd64/ga-24.04/noble/stable/squashfs'), 'utf8')).toBe('root v1');
    },
  );

  it('a crash right after the swap leaves current on the new, complete snapshot', async () => {
    await publish(await storedPlan({ 'boot-kernel': 'kernel v1' }));
    const crash = new Error('crash after swap');
    await expect(publish(await storedPlan({ 'boot-kernel': 'kernel v2' }), (s) => {
      if (s === 'swapped') throw crash;
    })).rejects.toBe(crash);
    expect(await readFile(join(dataDir, 'current/ubuntu/amd64/ga-24.04/noble/stable/boot-kernel'), 'utf8')).toBe('kernel v2');
  });
});
