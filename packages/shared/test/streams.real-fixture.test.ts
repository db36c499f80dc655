import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMirror, type Mirror, type ProductItem } from '@bootsync/shared/streams';
import { realFixtures } from '@bootsync/testkit/fixtures';

const fixture = realFixtures.maasStable2025;

/** product → version → item names, as the real July 2025 stream lists them (read off the files by hand). */
const EXPECTED: Record<string, Record<string, Record<string, string[]>>> = {
  'com.ubuntu.maas:stable:1:bootloader-download': {
    'com.ubuntu.maas.stable:1:grub-efi-signed:uefi:amd64': {
      '20230222.0': ['grub2-signed', 'shim-signed'],
      '20231004.0': ['grub2-signed', 'shim-signed'],
    },
    'com.ubuntu.maas.stable:1:grub-efi:uefi:arm64': {
      '20230222.0': ['grub2-signed', 'shim-signed'],
      '20231004.0': ['grub2-signed', 'shim-signed'],
    },
    'com.ubuntu.maas.stable:1:grub-ieee1275:open-firmware:ppc64el': {
      '20201124.0': ['grub2'],
      '20210509.0': ['grub2'],
    },
    'com.ubuntu.maas.stable:1:pxelinux:pxe:amd64': {
      '20230615.0': ['syslinux'],
    },
    'com.ubuntu.maas.stable:1:pxelinux:pxe:i386': {
      '20180807.0': ['syslinux'],
      '20210203.0': ['syslinux'],
    },
  },
  'com.ubuntu.maas:stable:centos-bases-download': {
    'com.ubuntu.maas.stable:centos-bases:7.0:amd64': {
      '20240604_01': ['manifest', 'root-tgz'],
      '20240622_01': ['manifest', 'root-tgz'],
    },
    'com.ubuntu.maas.stable:centos-bases:8:amd64': {
      '20211029_01': ['manifest', 'root-tgz'],
      '20211104_01': ['manifest', 'root-tgz'],
    },
  },
  'com.ubuntu.maas:stable:v3:download': {
    'com.ubuntu.maas.stable:v3:boot:22.04:amd64:ga-22.04': {
      '20250615': ['boot-initrd', 'boot-kernel', 'manifest', 'squashfs'],
      '20250718': ['boot-initrd', 'boot-kernel', 'manifest', 'squashfs'],
    },
    'com.ubuntu.maas.stable:v3:boot:22.04:arm64:ga-22.04': {
      '20250808': ['boot-initrd', 'boot-kernel', 'manifest', 'squashfs'],
      '20250812': ['boot-initrd', 'boot-kernel', 'manifest', 'squashfs'],
    },
    'com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04': {
      '20250618': ['boot-initrd', 'boot-kernel', 'manifest', 'squashfs'],
      '20250709': ['boot-initrd', 'boot-kernel', 'manifest', 'squashfs'],
    },
    'com.ubuntu.maas.stable:v3:boot:24.04:arm64:ga-24.04': {
      '20250618': ['boot-initrd', 'boot-kernel', 'manifest', 'squashfs'],
      '20250709': ['boot-initrd', 'boot-kernel', 'manifest', 'squashfs'],
    },
  },
};

let mirror: Mirror;
beforeAll(async () => {
  mirror = await readMirror(fixture, { verify: false });
});

const find = (product: string, version: string, item: string): ProductItem => {
  const found = mirror.items.find((i) => i.ref.product === product && i.ref.version === version && i.ref.item === item);
  if (!found) throw new Error(`no ${product} ${version} ${item}`);
  return found;
};

describe('the real images.maas.io stable stream (July 2025)', () => {
  it('falls back to the unsigned index.json when verification is off and there is no index.sjson', () => {
    expect(mirror.indexLocation).toBe(path.join(fixture, 'streams/v1/index.json'));
    expect(mirror.index.updated).toBe('Thu, 24 Jul 2025 08:01:49 +0000');
    expect(mirror.index.entries.map((e) => [e.contentId, e.datatype, e.format, e.products.length])).toEqual([
      ['com.ubuntu.maas:stable:1:bootloader-download', 'image-ids', 'products:1.0', 5],
      ['com.ubuntu.maas:stable:centos-bases-download', 'image-ids', 'products:1.0', 2],
      ['com.ubuntu.maas:stable:v3:download', 'image-ids', 'products:1.0', 4],
    ]);
  });

  it('lists every product, version and item of each products file, in byte order', () => {
    const listed: typeof EXPECTED = {};
    for (const catalog of mirror.catalogs) {
      const products: Record<string, Record<string, string[]>> = (listed[catalog.contentId] = {});
      for (const { ref } of catalog.items) ((products[ref.product] ??= {})[ref.version] ??= []).push(ref.item);
    }
    expect(listed).toEqual(EXPECTED);
    expect(mirror.catalogs.map((c) => c.items.length)).toEqual([13, 8, 32]);
    expect(mirror.items).toHaveLength(53);
  });

  it('keeps every item path, size and sha256 exactly as the files give them', async () => {
    let checked = 0;
    for (const catalog of mirror.catalogs) {
      const entry = mirror.index.entries.find((e) => e.contentId === catalog.contentId)!;
      const raw = JSON.parse(await readFile(path.join(fixture, entry.path), 'utf8')) as {
        products: Record<string, { versions: Record<string, { items: Record<string, { path: string; size: number; sha256: string }> }> }>;
      };
      for (const [product, p] of Object.entries(raw.products)) {
        for (const [version, v] of Object.entries(p.versions)) {
          for (const [item, it] of Object.entries(v.items)) {
            const parsed = find(product, version, item);
            expect([parsed.path, parsed.size, parsed.checksums]).toEqual([it.path, it.size, { sha256: it.sha256 }]);
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBe(53);
  });

  it('inherits product fields into Ubuntu items and keeps item fields (kpackage) and JSON types', () => {
    const kernel = find('com.ubuntu.maas.stable:v3:boot:24.04:arm64:ga-24.04', '20250709', 'boot-kernel');
    expect(kernel.fields).toMatchObject({
      content_id: 'com.ubuntu.maas:stable:v3:download',
      datatype: 'image-ids',
      os: 'ubuntu',
      arch: 'arm64',
      release: 'noble',
      release_title: '24.04 LTS',
      release_codename: 'Noble Numbat',
      subarch: 'ga-24.04',
      kflavor: 'generic',
      kpackage: 'linux-generic',
      ftype: 'boot-kernel',
      product_name: 'com.ubuntu.maas.stable:v3:boot:24.04:arm64:ga-24.04',
      version_name: '20250709',
      item_name: 'boot-kernel',
    });
    expect(typeof kernel.fields.size).toBe('number');
    expect(kernel.ref).toEqual({
      contentId: 'com.ubuntu.maas:stable:v3:download',
      product: 'com.ubuntu.maas.stable:v3:boot:24.04:arm64:ga-24.04',
      version: '20250709',
      item: 'boot-kernel',
    });
    expect(find('com.ubuntu.maas.stable:v3:boot:22.04:amd64:ga-22.04', '20250615', 'squashfs').fields.release_title).toBe('22.04 LTS');
  });

  it('shares one squashfs path between the items of a release/arch/serial only', () => {
    const squashfs = mirror.items.filter((i) => i.ftype === 'squashfs').map((i) => i.path);
    expect(squashfs).toContain('noble/amd64/20250618/squashfs');
    expect(new Set(squashfs).size).toBe(squashfs.length);
  });

  it('reads bootloaders with their arches list and archive items', () => {
    const syslinux = find('com.ubuntu.maas.stable:1:pxelinux:pxe:amd64', '20230615.0', 'syslinux');
    expect(syslinux.ftype).toBe('archive.tar.xz');
    expect(syslinux.fields).toMatchObject({ arches: 'amd64, i386', 'bootloader-type': 'pxe', os: 'pxelinux', src_package: 'syslinux' });
    const grub = find('com.ubuntu.maas.stable:1:grub-ieee1275:open-firmware:ppc64el', '20210509.0', 'grub2');
    expect(grub.fields).toMatchObject({ arch: 'ppc64el', 'bootloader-type': 'open-firmware', os: 'grub-ieee1275' });
  });

  it('reads CentOS bases with their root-tgz', () => {
    const root = find('com.ubuntu.maas.stable:centos-bases:7.0:amd64', '20240622_01', 'root-tgz');
    expect(root.ftype).toBe('root-tgz');
    expect(root.path).toBe('centos/centos70/amd64/20240622_01/root-tgz');
    expect(root.fields).toMatchObject({ os: 'centos', release: 'centos70', release_title: 'CentOS 7', subarch: 'generic' });
  });
});
