import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { RackMetrics } from '@bootsync/rack/metrics';
import { createRackServer } from '@bootsync/rack/server';
import { maasMeta, planSnapshot, publishSnapshot } from '@bootsync/rack/snapshot';
import { parseProducts } from '@bootsync/shared/streams';
import { buildRegionStream, PRODUCTS_PATH, publishedImages } from '@bootsync/region/region-stream';
import { createRepositories, openRegionDatabase, type Repositories } from '@bootsync/region/db';
import { rackBootImages } from '@bootsync/region/racks';

// The rack tree MAAS 3.4 lays out, checked on a bootsync rack: the region's rows (as the import and an upload write
// them) become the region stream, which the rack's own planner and publisher lay out. The expected tree is
// fixtures/maas-3.4-rack-tree/tree.txt; its README says how it was derived from MAAS's code.
const run = promisify(execFile);
const FIXTURE = join(import.meta.dirname, 'fixtures', 'maas-3.4-rack-tree');
let dir: string;
let repos: Repositories;
let closeDb: () => Promise<void>;
const blobs = new Map<string, string>();

async function blob(bytes: Buffer): Promise<{ sha256: string; size: number }> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const path = join(dir, 'blobs', sha256);
  await writeFile(path, bytes);
  blobs.set(sha256, path);
  return { sha256, size: bytes.length };
}

/** A bootloader archive as images.maas.io ships them: the files at the top of a tar.xz. */
async function archive(name: string, members: readonly string[]): Promise<{ sha256: string; size: number }> {
  const src = join(dir, 'archives', name);
  await mkdir(src, { recursive: true });
  for (const m of members) await writeFile(join(src, m), `${name}:${m}\n`);
  const out = join(dir, 'archives', `${name}.tar.xz`);
  await run('tar', ['-cJf', out, '-C', src, ...members]);
  return blob(await readFile(out));
}

async function image(
  name: string,
  architecture: string,
  extra: Record<string, unknown>,
  files: readonly { filename: string; filetype: string; content: Promise<{ sha256: string; size: number }>; extra?: Record<string, unknown> }[],
  rtype: 'synced' | 'uploaded' = 'synced',
  label = 'stable',
): Promise<void> {
  const resource = await repos.bootResources.upsert({ rtype, name, architecture, extra });
  const resolved = await Promise.all(files.map(async (f) => ({ ...f, ...(await f.content) })));
  const set = await repos.resourceSets.create(resource.id, {
    version: rtype === 'uploaded' ? '20250801' : '20250718',
    label,
    files: resolved.map((f) => ({ filename: f.filename, filetype: f.filetype, sha256: f.sha256, size: f.size, bytesDone: f.size, extra: f.extra ?? {} })),
  });
  await repos.resourceSets.markComplete(set.id);
}

const ubuntuFiles = (release: string, subarch: string, kpackage: string) => [
  { filename: 'boot-kernel', filetype: 'boot-kernel', content: blob(Buffer.from(`kernel ${release} ${subarch}`)), extra: { kpackage } },
  { filename: 'boot-initrd', filetype: 'boot-initrd', content: blob(Buffer.from(`initrd ${release} ${subarch}`)), extra: { kpackage } },
  { filename: 'squashfs', filetype: 'squashfs', content: blob(Buffer.from(`squashfs ${release}`)) },
  { filename: 'squashfs.manifest', filetype: 'manifest', content: blob(Buffer.from(`manifest ${release}`)) },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bootsync-maas-layout-'));
  await mkdir(join(dir, 'blobs'));
  const db = await openRegionDatabase({ file: join(dir, 'region.db') });
  closeDb = () => db.close();
  repos = createRepositories(db);
  await image('ubuntu/jammy', 'amd64/ga-22.04', { subarches: 'generic,hwe-p,ga-22.04', title: 'Ubuntu 22.04 LTS', kflavor: 'generic' }, ubuntuFiles('jammy', 'ga-22.04', 'linux-generic'));
  await image('ubuntu/jammy', 'amd64/hwe-22.04', { subarches: 'generic,ga-22.04,hwe-22.04', title: 'Ubuntu 22.04 LTS', kflavor: 'generic' }, ubuntuFiles('jammy', 'hwe-22.04', 'linux-generic-hwe-22.04'));
  await image('ubuntu/jammy', 'amd64/ga-22.04-lowlatency', { subarches: 'generic,ga-22.04', title: 'Ubuntu 22.04 LTS', kflavor: 'lowlatency' }, ubuntuFiles('jammy', 'ga-22.04-lowlatency', 'linux-lowlatency'));
  await image('ubuntu/noble', 'amd64/hwe-24.04', { subarches: 'generic,ga-24.04,hwe-24.04', title: 'Ubuntu 24.04 LTS', kflavor: 'generic', rolling: true }, ubuntuFiles('noble', 'hwe-24.04', 'linux-generic-hwe-24.04'));
  const src = { src_release: 'jammy', src_version: '1.0-0ubuntu1' };
  await image('grub-efi-signed/uefi', 'amd64/generic', { subarches: 'generic', title: 'grub-efi-signed (uefi)', bootloader_type: 'uefi' }, [
    { filename: 'grub2-signed.tar.xz', filetype: 'archive.tar.xz', content: archive('grub2-signed', ['grubx64.efi']), extra: { src_package: 'grub2-signed', ...src } },
    { filename: 'shim-signed.tar.xz', filetype: 'archive.tar.xz', content: archive('shim-signed', ['bootx64.efi']), extra: { src_package: 'shim-signed', ...src } },
  ]);
  const syslinux = ['chain.c32', 'ifcpu64.c32', 'ldlinux.c32', 'libcom32.c32', 'libutil.c32', 'lpxelinux.0', 'menu.c32'];
  await image('pxelinux/pxe', 'i386/generic', { subarches: 'generic', title: 'pxelinux (pxe)', bootloader_type: 'pxe' }, [
    { filename: 'syslinux.tar.xz', filetype: 'archive.tar.xz', content: archive('syslinux', syslinux), extra: { src_package: 'syslinux', ...src } },
  ]);
  await image('custom/desk', 'amd64/generic', { subarches: 'generic', title: 'Desk', base_image: 'ubuntu/jammy' }, [
    { filename: 'root-tgz', filetype: 'root-tgz', content: blob(Buffer.from('a custom root tarball')) },
  ], 'uploaded', 'uploaded');
});
afterAll(async () => {
  await closeDb?.();
  await rm(dir, { recursive: true, force: true });
});

/** Every file and symlink under `root`, `path` or `path -> target`, sorted; the snapshot's own manifest left out. */
async function tree(root: string, at = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(at, { withFileTypes: true })) {
    const full = join(at, entry.name);
    const rel = relative(root, full);
    if (rel === '.snapshot.json') continue;
    if (entry.isSymbolicLink()) out.push(`${rel} -> ${await readlink(full)}`);
    else if (entry.isDirectory()) out.push(...(await tree(root, full)));
    else out.push(rel);
  }
  return out.sort();
}

describe('a bootsync rack lays the region stream out as MAAS 3.4 racks do', () => {
  it('holds the paths MAAS 3.4 produces for the same stream: generic and rolling copies, bootloaders at the root, maas.meta', async () => {
    const stream = buildRegionStream(await publishedImages(repos));
    const items = parseProducts(stream.documents.get(PRODUCTS_PATH)!.body, PRODUCTS_PATH).items;
    const dataDir = join(dir, 'rack');
    const published = await publishSnapshot({ dataDir, plan: planSnapshot(items), blobPath: (sha) => blobs.get(sha)!, maasMeta: maasMeta(items) });
    const expected = (await readFile(join(FIXTURE, 'tree.txt'), 'utf8')).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(await tree(published.dir)).toEqual(expected);
    // The generic copy is the ga kernel itself, and the root bootloader is the one the archive held.
    expect(await readFile(join(published.dir, 'ubuntu/amd64/generic/jammy/stable/boot-kernel'), 'utf8')).toBe('kernel jammy ga-22.04');
    expect(await readFile(join(published.dir, 'bootx64.efi'), 'utf8')).toBe('shim-signed:bootx64.efi\n');
    expect(await readFile(join(published.dir, 'maas.meta'), 'utf8')).toBe((await readFile(join(FIXTURE, 'maas.meta'), 'utf8')).trimEnd());

    // What firmware and PXE clients ask a rack for, served over HTTP through the links.
    const server = createRackServer({ dataDir, metrics: new RackMetrics('rack-layout') });
    const base = await server.listen({ host: '127.0.0.1', port: 0 });
    try {
      const get = async (path: string) => {
        const res = await request(`${base}/images/${path}`);
        return { status: res.statusCode, body: await res.body.text() };
      };
      expect(await get('bootx64.efi')).toEqual({ status: 200, body: 'shim-signed:bootx64.efi\n' });
      expect(await get('pxelinux.0')).toEqual({ status: 200, body: 'syslinux:lpxelinux.0\n' });
      expect(await get('syslinux/menu.c32')).toEqual({ status: 200, body: 'syslinux:menu.c32\n' });
      expect((await get('ubuntu/amd64/hwe-rolling/noble/stable/boot-kernel')).body).toBe('kernel noble hwe-24.04');
    } finally {
      await server.close();
    }
  });

  it('publishes in the region stream what MAAS 3.4 publishes: kflavor, version, rolling, title, kpackage, src_*', async () => {
    const stream = buildRegionStream(await publishedImages(repos));
    const doc = JSON.parse(stream.documents.get(PRODUCTS_PATH)!.body) as { products: Record<string, Record<string, unknown> & { versions: Record<string, { items: Record<string, Record<string, unknown>> }> }> };
    const noble = doc.products['maas:boot:ubuntu:amd64:hwe-24.04:noble']!;
    expect(noble).toMatchObject({ os: 'ubuntu', arch: 'amd64', subarch: 'hwe-24.04', release: 'noble', version: 'noble', label: 'stable', kflavor: 'generic', rolling: true, title: 'Ubuntu 24.04 LTS', subarches: 'generic,ga-24.04,hwe-24.04' });
    expect(noble.versions['20250718']!.items['boot-kernel']).toMatchObject({ ftype: 'boot-kernel', kpackage: 'linux-generic-hwe-24.04', path: 'ubuntu/amd64/hwe-24.04/noble/20250718/boot-kernel' });
    const uefi = doc.products['maas:boot:grub-efi-signed:amd64:generic:uefi']!;
    expect(uefi).toMatchObject({ 'bootloader-type': 'uefi', os: 'grub-efi-signed' });
    expect(uefi.versions['20250718']!.items['shim-signed.tar.xz']).toMatchObject({ src_package: 'shim-signed', src_release: 'jammy', src_version: '1.0-0ubuntu1' });
    expect(doc.products['maas:boot:custom:amd64:generic:desk']).toMatchObject({ os: 'custom', release: 'desk', label: 'uploaded' });
  });
  it('lists what such a rack holds as MAAS 3.4 reads that tree (tftppath.list_boot_images, merged by name and arch)', async () => {
    // MAAS 3.4's walk: <os>/<arch>/<subarch>/<release>/<label>/ directories, and bootloader/<type>/<arch>/ as os
    // "bootloader", release <type>, subarch generic; then one entry per name (os/release, a custom image's bare
    // release) and architecture, its subarches sorted (RackController.list_boot_images).
    const files = (await readFile(join(FIXTURE, 'tree.txt'), 'utf8')).split('\n').filter((l) => l !== '' && !l.startsWith('#') && !l.includes(' -> '));
    const maas34 = new Map<string, { name: string; architecture: string; subarches: Set<string> }>();
    for (const parts of files.map((f) => f.split('/'))) {
      const [os = '', a = '', b = '', c = ''] = parts;
      const image =
        os === 'bootloader' && parts.length >= 4 ? { name: `bootloader/${a}`, architecture: b, subarch: 'generic' }
        : os !== 'bootloader' && parts.length >= 6 ? { name: os === 'custom' ? c : `${os}/${c}`, architecture: a, subarch: b }
        : undefined;
      if (!image) continue;
      const key = `${image.name} ${image.architecture}`;
      const entry = maas34.get(key) ?? { name: image.name, architecture: image.architecture, subarches: new Set<string>() };
      entry.subarches.add(image.subarch);
      maas34.set(key, entry);
    }
    const published = await publishedImages(repos);
    const held = buildRegionStream(published).images.map(({ product }) => ({ product }));
    // bootsync names a custom image as its boot resource does (custom/desk), where MAAS 3.4 gives the bare name.
    const expected = [...maas34.values()]
      .map(({ name, architecture, subarches }) => ({ name: name === 'desk' ? 'custom/desk' : name, architecture, subarches: [...subarches].sort() }))
      .sort((x, y) => (x.name === y.name ? (x.architecture < y.architecture ? -1 : 1) : x.name < y.name ? -1 : 1));
    expect(expected.length).toBeGreaterThan(3);
    expect(rackBootImages(held, published)).toEqual(expected);
  });
});
