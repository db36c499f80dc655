import { describe, expect, it } from 'vitest';
import { classifyItem, newestSets, setFiles, ubuntuSubarch, type BootImage } from '@bootsync/shared/select';
import type { ProductItem } from '@bootsync/shared/streams';
import { bootloaderVersion, centosVersion, realItems, streamItem, ubuntuVersion } from './select.fixtures.js';

const real = await realItems();

function productsOf(items: readonly ProductItem[]): Map<string, ProductItem[]> {
  const products = new Map<string, ProductItem[]>();
  for (const item of items) products.set(item.ref.product, [...(products.get(item.ref.product) ?? []), item]);
  return products;
}

describe('classifying the real images.maas.io stream (July 2025)', () => {
  const expected: [product: string, kind: BootImage['kind'], name: string, architecture: string, title: string][] = [
    ['com.ubuntu.maas.stable:v3:boot:22.04:amd64:ga-22.04', 'ubuntu', 'ubuntu/jammy', 'amd64/ga-22.04', 'Ubuntu 22.04 LTS'],
    ['com.ubuntu.maas.stable:v3:boot:22.04:arm64:ga-22.04', 'ubuntu', 'ubuntu/jammy', 'arm64/ga-22.04', 'Ubuntu 22.04 LTS'],
    ['com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04', 'ubuntu', 'ubuntu/noble', 'amd64/ga-24.04', 'Ubuntu 24.04 LTS'],
    ['com.ubuntu.maas.stable:v3:boot:24.04:arm64:ga-24.04', 'ubuntu', 'ubuntu/noble', 'arm64/ga-24.04', 'Ubuntu 24.04 LTS'],
    ['com.ubuntu.maas.stable:centos-bases:7.0:amd64', 'centos', 'centos/centos70', 'amd64/generic', 'CentOS 7'],
    ['com.ubuntu.maas.stable:centos-bases:8:amd64', 'centos', 'centos/8', 'amd64/generic', 'CentOS 8'],
    ['com.ubuntu.maas.stable:1:grub-efi-signed:uefi:amd64', 'bootloader', 'grub-efi-signed/uefi', 'amd64/generic', 'grub-efi-signed (uefi)'],
    ['com.ubuntu.maas.stable:1:grub-efi:uefi:arm64', 'bootloader', 'grub-efi/uefi', 'arm64/generic', 'grub-efi (uefi)'],
    ['com.ubuntu.maas.stable:1:grub-ieee1275:open-firmware:ppc64el', 'bootloader', 'grub-ieee1275/open-firmware', 'ppc64el/generic', 'grub-ieee1275 (open-firmware)'],
    ['com.ubuntu.maas.stable:1:pxelinux:pxe:amd64', 'bootloader', 'pxelinux/pxe', 'amd64/generic', 'pxelinux (pxe)'],
    ['com.ubuntu.maas.stable:1:pxelinux:pxe:i386', 'bootloader', 'pxelinux/pxe', 'i386/generic', 'pxelinux (pxe)'],
  ];
  const products = productsOf(real);

  it('covers every product of the fixture', () => {
    expect([...products.keys()].sort()).toEqual(expected.map((e) => e[0]).sort());
  });

  it.each(expected)('%s is %s %s %s', (product, kind, name, architecture, title) => {
    const images = (products.get(product) ?? []).map(classifyItem);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      expect(image).toMatchObject({ kind, identity: { name, architecture }, title, label: 'stable' });
    }
  });

  it('reads the Ubuntu fields MAAS shows', () => {
    const image = classifyItem(products.get('com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04')![0]!);
    expect(image).toMatchObject({ os: 'ubuntu', release: 'noble', arch: 'amd64', subarch: 'ga-24.04', kflavor: 'generic', releaseTitle: '24.04 LTS', releaseCodename: 'Noble Numbat' });
    expect(image?.subarches).toEqual(expect.arrayContaining(['generic', 'hwe-p', 'ga-22.04', 'ga-24.04']));
    expect(image?.subarches).toHaveLength(26);
  });

  it('reads the bootloader type and the arches list, spaces and all', () => {
    const image = classifyItem(products.get('com.ubuntu.maas.stable:1:pxelinux:pxe:amd64')![0]!);
    expect(image).toMatchObject({ kind: 'bootloader', bootloaderType: 'pxe', os: 'pxelinux', release: 'pxe', arches: ['amd64', 'i386'] });
  });

  it('picks the newest version of each product, and each set with the files MAAS needs', () => {
    const sets = newestSets(real).map((s) => [`${s.image.identity.name} ${s.image.identity.architecture}`, s.version, s.items.map((i) => i.ftype).sort().join(' ')]);
    expect(sets.sort()).toEqual([
      ['centos/8 amd64/generic', '20211104_01', 'manifest root-tgz'],
      ['centos/centos70 amd64/generic', '20240622_01', 'manifest root-tgz'],
      ['grub-efi-signed/uefi amd64/generic', '20231004.0', 'archive.tar.xz archive.tar.xz'],
      ['grub-efi/uefi arm64/generic', '20231004.0', 'archive.tar.xz archive.tar.xz'],
      ['grub-ieee1275/open-firmware ppc64el/generic', '20210509.0', 'archive.tar.xz'],
      ['pxelinux/pxe amd64/generic', '20230615.0', 'archive.tar.xz'],
      ['pxelinux/pxe i386/generic', '20210203.0', 'archive.tar.xz'],
      ['ubuntu/jammy amd64/ga-22.04', '20250718', 'boot-initrd boot-kernel manifest squashfs'],
      ['ubuntu/jammy arm64/ga-22.04', '20250812', 'boot-initrd boot-kernel manifest squashfs'],
      ['ubuntu/noble amd64/ga-24.04', '20250709', 'boot-initrd boot-kernel manifest squashfs'],
      ['ubuntu/noble arm64/ga-24.04', '20250709', 'boot-initrd boot-kernel manifest squashfs'],
    ]);
  });
});

describe('Ubuntu subarch naming (kernel flavour as MAAS names it)', () => {
  it.each([
    ['ga-24.04', 'generic', 'ga-24.04'],
    ['ga-24.04', 'lowlatency', 'ga-24.04-lowlatency'],
    ['hwe-24.04', 'lowlatency', 'hwe-24.04-lowlatency'],
    ['hwe-24.04-edge', 'lowlatency', 'hwe-24.04-lowlatency-edge'],
    ['hwe-24.04-edge', 'generic', 'hwe-24.04-edge'],
  ])('%s + %s → %s', (subarch, kflavor, expected) => {
    expect(ubuntuSubarch(subarch, kflavor)).toBe(expected);
    const image = classifyItem(ubuntuVersion({ subarch, kflavor })[0]!);
    expect(image?.subarch).toBe(expected);
    expect(image?.identity.architecture).toBe(`amd64/${expected}`);
    expect(image?.subarches).toContain(expected);
  });
});

describe('items that are not MAAS images are skipped', () => {
  const base = { contentId: 'c', product: 'p', version: '1', item: 'i', ftype: 'root-tgz', path: 'x/root-tgz' };
  it.each<[string, Record<string, string>]>([
    ['a notification', { os: 'ubuntu', release: 'notifications', arch: 'amd64', label: 'stable' }],
    ['no os', { release: 'noble', arch: 'amd64', label: 'stable', subarch: 'ga-24.04' }],
    ['no label', { os: 'ubuntu', release: 'noble', arch: 'amd64', subarch: 'ga-24.04' }],
    ['an Ubuntu product without subarch', { os: 'ubuntu', release: 'noble', arch: 'amd64', label: 'stable' }],
    ['an unknown bootloader type', { os: 'ipxe', arch: 'amd64', label: 'stable', 'bootloader-type': 'ipxe' }],
  ])('%s', (_what, fields) => {
    expect(classifyItem(streamItem({ ...base, fields }))).toBeUndefined();
  });

  it('but another OS shaped like MAAS images is an "other" image', () => {
    const image = classifyItem(streamItem({ ...base, fields: { os: 'rhel', release: '9', arch: 'amd64', label: 'stable', release_title: 'RHEL 9' } }));
    expect(image).toMatchObject({ kind: 'other', identity: { name: 'rhel/9', architecture: 'amd64/generic' }, title: 'RHEL 9' });
  });
});

describe('the files of a set', () => {
  const ftypes = (items: ProductItem[]): string[] | undefined => {
    const image = classifyItem(items[0]!);
    return image && setFiles(image, items)?.map((i) => i.ftype);
  };
  it.each<[string, ProductItem[], string[] | undefined]>([
    ['Ubuntu: kernel, initrd, manifest, squashfs', ubuntuVersion(), ['boot-kernel', 'boot-initrd', 'manifest', 'squashfs']],
    ['Ubuntu with a dtb keeps it', ubuntuVersion({ extra: { 'boot-dtb': 'd/boot-dtb' } }), ['boot-kernel', 'boot-initrd', 'manifest', 'squashfs', 'boot-dtb']],
    ['Ubuntu skips root-image.gz beside a squashfs', ubuntuVersion({ extra: { 'root-image.gz': 'r/root-image.gz' } }), ['boot-kernel', 'boot-initrd', 'manifest', 'squashfs']],
    ['Ubuntu without squashfs uses root-image.gz', ubuntuVersion({ omit: ['squashfs'], extra: { 'root-image.gz': 'r/root-image.gz' } }), ['boot-kernel', 'boot-initrd', 'manifest', 'root-image.gz']],
    ['Ubuntu leaves di-kernel out', ubuntuVersion({ extra: { 'di-kernel': 'd/di-kernel' } }), ['boot-kernel', 'boot-initrd', 'manifest', 'squashfs']],
    ['Ubuntu without a root image is incomplete', ubuntuVersion({ omit: ['squashfs'] }), undefined],
    ['Ubuntu without a manifest is incomplete', ubuntuVersion({ omit: ['manifest'] }), undefined],
    ['Ubuntu without a kernel is incomplete', ubuntuVersion({ omit: ['boot-kernel'] }), undefined],
    ['CentOS: root-tgz and manifest', centosVersion(), ['root-tgz', 'manifest']],
    ['CentOS without root-tgz is incomplete', centosVersion().filter((i) => i.ftype !== 'root-tgz'), undefined],
    ['a bootloader: every archive', bootloaderVersion('grub-efi-signed', 'uefi', 'amd64', '1', ['grub2-signed', 'shim-signed']), ['archive.tar.xz', 'archive.tar.xz']],
  ])('%s', (_what, items, expected) => {
    expect(ftypes(items)).toEqual(expected);
  });

  it('a version missing a required file is not offered, so the previous one is the newest', () => {
    const items = [...ubuntuVersion({ serial: '20250101' }), ...ubuntuVersion({ serial: '20250201', omit: ['boot-initrd'] })];
    expect(newestSets(items).map((s) => s.version)).toEqual(['20250101']);
  });
});
