import { describe, expect, it } from 'vitest';
import { classifyItem, imageMatches, isImageWanted, type BootImage, type Selection } from '@bootsync/shared/select';
import type { ProductItem } from '@bootsync/shared/streams';
import { bootloaderVersion, realItems, ubuntuVersion, type UbuntuSpec } from './select.fixtures.js';

function imageOf(items: ProductItem[]): BootImage {
  const image = classifyItem(items[0]!);
  if (!image) throw new Error('test item did not classify');
  return image;
}
const ubuntu = (spec: UbuntuSpec = {}): BootImage => imageOf(ubuntuVersion(spec));
const real = await realItems();
const select = (s: Partial<Selection> = {}): Selection => ({ os: 'ubuntu', release: 'noble', arches: ['*'], subarches: ['*'], labels: ['*'], ...s });

describe('imageMatches (MAAS image_passes_filter)', () => {
  const noble = ubuntu();
  const lowlatency = ubuntu({ kflavor: 'lowlatency' });
  const hweEdge = ubuntu({ subarch: 'hwe-24.04-edge', kflavor: 'lowlatency', subarches: 'generic,hwe-24.04-edge' });
  const candidate = ubuntu({ label: 'candidate' });
  const jammyArm = ubuntu({ release: 'jammy', arch: 'arm64' });

  it.each<[string, BootImage, Selection, boolean]>([
    ['everything by wildcard', noble, select({ os: '*', release: '*' }), true],
    ['os and release equal', noble, select(), true],
    ['another release', noble, select({ release: 'jammy' }), false],
    ['another os', noble, select({ os: 'centos' }), false],
    ['arch listed', jammyArm, select({ release: 'jammy', arches: ['amd64', 'arm64'] }), true],
    ['arch not listed', jammyArm, select({ release: 'jammy', arches: ['amd64'] }), false],
    ['subarch equal', noble, select({ subarches: ['ga-24.04'] }), true],
    ['subarch found in the subarches list', noble, select({ subarches: ['ga-22.04'] }), true],
    ['subarch in neither', noble, select({ subarches: ['hwe-24.04'] }), false],
    ['kflavor subarch selected by its MAAS name', lowlatency, select({ subarches: ['ga-24.04-lowlatency'] }), true],
    ['generic kernel not selected by the lowlatency name', noble, select({ subarches: ['ga-24.04-lowlatency'] }), false],
    ['lowlatency product serves the plain subarch through its list', lowlatency, select({ subarches: ['ga-24.04'] }), true],
    ['edge flavour name keeps -edge last', hweEdge, select({ subarches: ['hwe-24.04-lowlatency-edge'] }), true],
    ['edge flavour not selected by a misordered name', hweEdge, select({ subarches: ['hwe-24.04-edge-lowlatency'] }), false],
    ['label listed', candidate, select({ labels: ['stable', 'candidate'] }), true],
    ['label not listed', candidate, select({ labels: ['stable'] }), false],
    ['an empty arches list matches nothing', noble, select({ arches: [] }), false],
  ])('%s', (_what, image, selection, expected) => {
    expect(imageMatches(image, selection)).toBe(expected);
  });
});

describe('bootloaders are wanted per MAAS allow-list, whatever the selections', () => {
  const realBootloader = (os: string, arch: string): BootImage =>
    imageOf(real.filter((i) => i.fields.os === os && i.fields.arch === arch));

  it.each<[string, string, boolean]>([
    ['pxelinux', 'i386', true],
    ['pxelinux', 'amd64', false],
    ['grub-efi-signed', 'amd64', true],
    ['grub-efi', 'arm64', true],
    ['grub-ieee1275', 'ppc64el', true],
  ])('%s/%s from the real stream: %s', (os, arch, wanted) => {
    const image = realBootloader(os, arch);
    expect(isImageWanted(image, [])).toBe(wanted);
    expect(isImageWanted(image, [select({ os: '*', release: '*' })])).toBe(wanted);
  });

  it.each<[string, string, string]>([
    ['grub-efi-signed', 'uefi', 'arm64'],
    ['grub-efi', 'uefi', 'amd64'],
    ['grub-ieee1275', 'open-firmware', 'amd64'],
  ])('%s %s/%s is not on the list', (os, type, arch) => {
    expect(isImageWanted(imageOf(bootloaderVersion(os, type, arch)), [select({ os: '*', release: '*' })])).toBe(false);
  });
});

describe('isImageWanted for OS images', () => {
  it('needs one matching selection among several', () => {
    const image = ubuntu({ release: 'jammy' });
    expect(isImageWanted(image, [select(), select({ release: 'jammy' })])).toBe(true);
    expect(isImageWanted(image, [select()])).toBe(false);
  });

  it('no selections want no OS image', () => {
    expect(isImageWanted(ubuntu(), [])).toBe(false);
  });
});
