import { describe, expect, it } from 'vitest';
import { NoAvailableImagesError, summarizeOffer, validateSelection, type Selection } from '@bootsync/shared/select';
import { realItems, ubuntuVersion } from './select.fixtures.js';

const offer = summarizeOffer(await realItems());
const select = (s: Partial<Selection> = {}): Selection => ({ os: 'ubuntu', release: 'noble', arches: ['*'], subarches: ['*'], labels: ['*'], ...s });

describe('what the real stream offers', () => {
  it('lists each os/release once with its arches', () => {
    expect(offer.images.map((r) => `${r.kind} ${r.os}/${r.release} ${r.arches.join(',')}`).sort()).toEqual([
      'bootloader grub-efi-signed/uefi amd64',
      'bootloader grub-efi/uefi arm64',
      'bootloader grub-ieee1275/open-firmware ppc64el',
      'bootloader pxelinux/pxe amd64,i386',
      'centos centos/8 amd64',
      'centos centos/centos70 amd64',
      'ubuntu ubuntu/jammy amd64,arm64',
      'ubuntu ubuntu/noble amd64,arm64',
    ]);
  });

  it('gives the titles, subarches and labels the Images page shows', () => {
    const noble = offer.images.find((r) => r.release === 'noble');
    expect(noble).toMatchObject({ title: 'Ubuntu 24.04 LTS', releaseTitle: '24.04 LTS', releaseCodename: 'Noble Numbat', labels: ['stable'] });
    expect(noble?.subarches).toEqual(expect.arrayContaining(['generic', 'ga-22.04', 'ga-24.04']));
    expect(offer.images.find((r) => r.os === 'pxelinux')).toMatchObject({ bootloaderType: 'pxe', release: 'pxe' });
    expect(offer.images.find((r) => r.release === 'centos70')).toMatchObject({ title: 'CentOS 7', subarches: ['generic'] });
  });

  it('leaves out images with no complete version', () => {
    expect(summarizeOffer(ubuntuVersion({ omit: ['squashfs'] })).images).toEqual([]);
  });
});

describe('validateSelection against the real offer', () => {
  it.each<[string, Partial<Selection>]>([
    ['ubuntu/noble, everything', {}],
    ['centos/centos70 amd64', { os: 'centos', release: 'centos70', arches: ['amd64'] }],
    ['any os with release noble', { os: '*' }],
    ['two arches both offered', { arches: ['amd64', 'arm64'] }],
    ['a subarch from the subarches list', { subarches: ['hwe-t', 'ga-22.04'] }],
    ['a label offered', { labels: ['stable'] }],
  ])('%s is valid', (_what, selection) => {
    expect(validateSelection(select(selection), offer)).toEqual([]);
  });

  it.each<[string, Partial<Selection>, NoAvailableImagesError['field'], string[], string]>([
    ['a release not offered', { release: 'focal' }, 'os', [], 'OS ubuntu with release focal has no available images for download'],
    ['an os not offered', { os: 'rhel', release: '9' }, 'os', [], 'OS rhel with release 9 has no available images for download'],
    ['an arch not offered', { arches: ['amd64', 's390x'] }, 'arches', ['s390x'], "No available images to download for ['s390x']"],
    ['a kflavor subarch not offered', { subarches: ['ga-24.04-lowlatency'] }, 'subarches', ['ga-24.04-lowlatency'], "No available images to download for ['ga-24.04-lowlatency']"],
    ['a label not offered', { labels: ['candidate'] }, 'labels', ['candidate'], "No available images to download for ['candidate']"],
  ])('%s is refused', (_what, selection, field, missing, message) => {
    const [error, ...more] = validateSelection(select(selection), offer);
    expect(more).toEqual([]);
    expect(error).toBeInstanceOf(NoAvailableImagesError);
    expect(error).toMatchObject({ code: 'SELECT_NO_AVAILABLE_IMAGES', field, missing, message });
  });

  it("reports every field that offers nothing, as MAAS's form does", () => {
    const errors = validateSelection(select({ arches: ['s390x', 'amd64', 'riscv64'], labels: ['candidate'] }), offer);
    expect(errors.map((e) => [e.field, e.message])).toEqual([
      ['arches', "No available images to download for ['s390x', 'riscv64']"],
      ['labels', "No available images to download for ['candidate']"],
    ]);
  });

  it('an empty offer validates nothing', () => {
    expect(validateSelection(select(), { images: [] }).map((e) => e.field)).toEqual(['os']);
  });
});
