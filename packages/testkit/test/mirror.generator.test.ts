import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadSignatureError, loadKeyring, UnknownKeyError, type Keyring } from '@bootsync/shared/signing';
import { readMirror } from '@bootsync/shared/streams';
import { createSignedMirror, generateTestKey, type GeneratedMirror } from '@bootsync/testkit/mirror';

let dir: string;
let mirror: GeneratedMirror;
let keyring: Keyring;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bootsync-mirror-test-'));
  mirror = await createSignedMirror(dir);
  keyring = await loadKeyring({ file: mirror.keyring.binary });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex');

describe('createSignedMirror', () => {
  it('writes a signed stream that reads back with every item it lists', async () => {
    const read = await readMirror(mirror.root, { verify: true, keyring });
    expect(read.indexLocation).toBe(join(mirror.root, 'streams/v1/index.sjson'));
    expect(read.items.map((i) => ({ ref: i.ref, path: i.path, size: i.size, sha256: i.checksums.sha256 }))).toEqual(
      mirror.items.map((i) => ({ ref: i.ref, path: i.path, size: i.size, sha256: i.sha256 })),
    );
    // 2 releases × 2 arches × (ga, hwe) × 2 serials × 4 items, 3 bootloader archives, 2 CentOS items
    expect(mirror.items).toHaveLength(64 + 3 + 2);
  });

  it('writes payloads whose bytes match the announced sha256 and size, squashfs shared by ga and hwe', async () => {
    for (const file of mirror.files) {
      expect(await sha256(join(mirror.root, file.path))).toBe(file.sha256);
    }
    const squashfs = mirror.files.find((f) => f.path === 'noble/amd64/20250718/squashfs');
    expect(squashfs?.refs.map((r) => r.product)).toEqual([
      'com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04',
      'com.ubuntu.maas.stable:v3:boot:24.04:amd64:hwe-24.04',
    ]);
    expect(new Set(mirror.files.map((f) => f.sha256)).size).toBe(mirror.files.length);
  });

  it('makes bootloader archives real tar.xz files', () => {
    const archive = mirror.items.find((i) => i.ref.item === 'syslinux');
    expect(archive?.ftype).toBe('archive.tar.xz');
    const listing = execFileSync('tar', ['-tJf', join(mirror.root, archive!.path)], { encoding: 'utf8' });
    expect(listing.split('\n').filter(Boolean)).toEqual(['ldlinux.c32', 'pxelinux.0']);
  });

  it('also publishes .json with detached .json.gpg that verify', async () => {
    const read = await readMirror(join(mirror.root, 'streams/v1/index.json'), { verify: true, keyring });
    expect(read.items).toHaveLength(mirror.items.length);
  });

  it('is the same bytes for the same spec, so payload content is deterministic', async () => {
    const other = await mkdtemp(join(tmpdir(), 'bootsync-mirror-test-'));
    try {
      const again = await createSignedMirror(other, { bootloaders: false, centos: false, arches: ['amd64'] });
      const sameFile = again.files[0]!;
      expect(mirror.files.find((f) => f.path === sameFile.path)?.sha256).toBe(sameFile.sha256);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});

describe('mutating a generated mirror', () => {
  let work: string;
  let m: GeneratedMirror;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'bootsync-mirror-test-'));
    m = await createSignedMirror(work, { arches: ['amd64'], releases: [{ release: 'noble', version: '24.04', title: '24.04 LTS', codename: 'Noble Numbat' }], versions: ['20250101'], bootloaders: false });
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('adds a new version upstream, newest last', async () => {
    const added = await m.addVersion();
    expect(added.map((i) => `${i.ref.product.split(':').at(-1)} ${i.ref.version} ${i.ref.item}`)).toEqual([
      'ga-24.04 20250102 boot-initrd', 'ga-24.04 20250102 boot-kernel', 'ga-24.04 20250102 manifest', 'ga-24.04 20250102 squashfs',
      'hwe-24.04 20250102 boot-initrd', 'hwe-24.04 20250102 boot-kernel', 'hwe-24.04 20250102 manifest', 'hwe-24.04 20250102 squashfs',
    ]);
    const read = await readMirror(m.root, { verify: true, keyring: await loadKeyring({ file: m.keyring.armored }) });
    expect(read.items.filter((i) => i.ref.version === '20250102')).toHaveLength(8);
  });

  it('removes a product from the products file and the index', async () => {
    await m.removeProduct('com.ubuntu.maas.stable:v3:boot:24.04:amd64:hwe-24.04');
    const read = await readMirror(m.root, { verify: true, keyring: await loadKeyring({ file: m.keyring.binary }) });
    expect(read.index.entries.find((e) => e.contentId === m.contentIds.ubuntu)?.products).toEqual([
      'com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04',
    ]);
    expect(new Set(read.items.map((i) => i.ref.product)).size).toBe(2);
  });

  it('corrupts a payload without changing its size', async () => {
    const file = m.files[0]!;
    await m.corruptFile(file.path);
    const bytes = await readFile(join(m.root, file.path));
    expect(bytes.length).toBe(file.size);
    expect(createHash('sha256').update(bytes).digest('hex')).not.toBe(file.sha256);
  });

  it('breaks the signature of a products file, then re-signs it (with another key: unknown key)', async () => {
    const keys = await loadKeyring({ file: m.keyring.binary });
    await m.tamperSignedContent();
    await expect(readMirror(m.root, { verify: true, keyring: keys })).rejects.toBeInstanceOf(BadSignatureError);
    await expect(readMirror(join(m.root, 'streams/v1/index.json'), { verify: true, keyring: keys })).rejects.toBeInstanceOf(BadSignatureError);
    const stranger = await generateTestKey('stranger');
    await m.resign(stranger.privateKey);
    await expect(readMirror(m.root, { verify: true, keyring: keys })).rejects.toBeInstanceOf(UnknownKeyError);
    await m.resign();
    await expect(readMirror(m.root, { verify: true, keyring: keys })).resolves.toBeDefined();
  });
});
