import { describe, expect, it } from 'vitest';
import { planImport, type HeldSet, type ImportPlan, type ImportSource, type Selection } from '@bootsync/shared/select';
import type { ProductItem } from '@bootsync/shared/streams';
import { bootloaderVersion, realItems, streamItem, ubuntuVersion } from './select.fixtures.js';

const noble: Selection = { os: 'ubuntu', release: 'noble', arches: ['amd64'], subarches: ['*'], labels: ['*'] };
const source = (sourceId: number, items: ProductItem[], selections: Selection[] = [noble]): ImportSource => ({ sourceId, items, selections });
const plan = (sources: ImportSource[], more: { storeHas?: ReadonlySet<string> | ((s: string) => boolean); held?: HeldSet[] } = {}): ImportPlan =>
  planImport({ sources, storeHas: more.storeHas ?? new Set(), held: more.held ?? [] });
const setsOf = (p: ImportPlan): string[] =>
  p.wantedSets.map((s) => `${s.sourceId} ${s.image.identity.name} ${s.image.identity.architecture} ${s.version}`);
const real = await realItems();
const sha = (items: ProductItem[], ftype: string): string => items.find((i) => i.ftype === ftype)!.checksums.sha256!;

describe('planImport against the real stream', () => {
  const result = plan([source(1, real)]);

  it('wants the newest noble/amd64 set and the allow-listed bootloaders, nothing else', () => {
    expect(setsOf(result).sort()).toEqual([
      '1 grub-efi-signed/uefi amd64/generic 20231004.0',
      '1 grub-efi/uefi arm64/generic 20231004.0',
      '1 grub-ieee1275/open-firmware ppc64el/generic 20210509.0',
      '1 pxelinux/pxe i386/generic 20210203.0',
      '1 ubuntu/noble amd64/ga-24.04 20250709',
    ]);
    expect(result.alreadyComplete).toEqual([]);
  });

  it('describes each file of a set as MAAS records it', () => {
    const set = result.wantedSets.find((s) => s.image.kind === 'ubuntu')!;
    expect(set.files.find((f) => f.filetype === 'boot-kernel')).toEqual({
      filetype: 'boot-kernel',
      filename: 'boot-kernel',
      contentKey: 'sha256:67cd9af083515de2101de032b49a64fc4b65778e5383df6ef21cf788a3f4688e',
      sha256: '67cd9af083515de2101de032b49a64fc4b65778e5383df6ef21cf788a3f4688e',
      checksums: { sha256: '67cd9af083515de2101de032b49a64fc4b65778e5383df6ef21cf788a3f4688e' },
      size: 15010184,
      ref: { contentId: 'com.ubuntu.maas:stable:v3:download', product: 'com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04', version: '20250709', item: 'boot-kernel' },
      path: 'noble/amd64/20250709/ga-24.04/generic/boot-kernel',
      extra: { kpackage: 'linux-generic' },
    });
    const grub = result.wantedSets.find((s) => s.image.identity.name === 'grub-efi-signed/uefi')!;
    expect(grub.files.map((f) => f.filename).sort()).toEqual(['grub2-signed.tar.xz', 'shim-signed.tar.xz']);
  });

  it('fetches every file of those sets once, with its size', () => {
    expect(result.fetch).toHaveLength(10);
    expect(result.fetch.reduce((n, f) => n + f.size, 0)).toBe(15010184 + 78320319 + 18932 + 271732736 + 1228336 + 321940 + 1207316 + 293492 + 516068 + 424200);
    expect(result.fetch.every((f) => f.sourceId === 1)).toBe(true);
  });
});

describe('several sources: the first in priority order wins per image', () => {
  const mirrorA = ubuntuVersion({ serial: '20250101' });
  const mirrorB = ubuntuVersion({ serial: '20250301' });
  const jammyOnB = ubuntuVersion({ release: 'jammy', serial: '20250301' });
  const both: Selection[] = [noble, { ...noble, release: 'jammy' }];

  it.each<[string, ImportSource[], string[]]>([
    ['the first source wins even with an older version', [source(7, mirrorA), source(3, mirrorB)], ['7 ubuntu/noble amd64/ga-24.04 20250101']],
    ['order, not id, decides', [source(3, mirrorB), source(7, mirrorA)], ['3 ubuntu/noble amd64/ga-24.04 20250301']],
    ['an image only the second offers comes from it', [source(7, mirrorA, both), source(3, [...mirrorB, ...jammyOnB], both)],
      ['7 ubuntu/noble amd64/ga-24.04 20250101', '3 ubuntu/jammy amd64/ga-22.04 20250301']],
    ['an image the first offers but does not select comes from the one that selects it', [source(7, mirrorA, []), source(3, mirrorB)],
      ['3 ubuntu/noble amd64/ga-24.04 20250301']],
  ])('%s', (_what, sources, expected) => {
    const result = plan(sources);
    expect(setsOf(result)).toEqual(expected);
    // Each file is fetched from the mirror of the set that needs it.
    for (const set of result.wantedSets) {
      for (const file of set.files) expect(result.fetch.find((f) => f.contentKey === file.contentKey)?.sourceId).toBe(set.sourceId);
    }
  });

  it('a bootloader comes from the first source that has it', () => {
    const grubA = bootloaderVersion('grub-efi', 'uefi', 'arm64', '20230101.0');
    const grubB = bootloaderVersion('grub-efi', 'uefi', 'arm64', '20230202.0');
    expect(setsOf(plan([source(1, [...mirrorA]), source(2, grubB), source(3, grubA)]))).toEqual([
      '1 ubuntu/noble amd64/ga-24.04 20250101',
      '2 grub-efi/uefi arm64/generic 20230202.0',
    ]);
  });
});

describe('only the newest version of a product is imported', () => {
  it('versions order by bytes, not by the order the stream lists them', () => {
    const items = [...ubuntuVersion({ serial: '20250618.1' }), ...ubuntuVersion({ serial: '20250618' }), ...ubuntuVersion({ serial: '20250101' })];
    expect(setsOf(plan([source(1, items)]))).toEqual(['1 ubuntu/noble amd64/ga-24.04 20250618.1']);
  });
});

describe('files to fetch', () => {
  const ga = ubuntuVersion({ subarch: 'ga-24.04' });
  const hwe = ubuntuVersion({ subarch: 'hwe-24.04' });
  const allSubarches: Selection = { ...noble, subarches: ['*'] };

  it('a squashfs shared by several products is fetched once', () => {
    const result = plan([source(1, [...ga, ...hwe], [allSubarches])]);
    expect(result.wantedSets).toHaveLength(2);
    for (const set of result.wantedSets) expect(set.files.map((f) => f.sha256)).toContain(sha(ga, 'squashfs'));
    expect(result.fetch.filter((f) => f.sha256 === sha(ga, 'squashfs'))).toHaveLength(1);
    expect(result.fetch.map((f) => f.ref.item).sort()).toEqual(
      ['boot-initrd', 'boot-initrd', 'boot-kernel', 'boot-kernel', 'manifest', 'squashfs'],
    );
  });

  it.each<[string, ReadonlySet<string> | ((s: string) => boolean)]>([
    ['a set', new Set([sha(ga, 'squashfs'), sha(ga, 'boot-kernel')])],
    ['a function', (s: string) => s === sha(ga, 'squashfs') || s === sha(ga, 'boot-kernel')],
  ])('files the store already has (given as %s) are not fetched, but stay in the set', (_form, storeHas) => {
    const result = plan([source(1, ga)], { storeHas });
    expect(result.fetch.map((f) => f.ref.item).sort()).toEqual(['boot-initrd', 'manifest']);
    expect(result.wantedSets[0]!.files).toHaveLength(4);
  });

  it('items with no sha256 say so, are keyed by their strongest checksum, and are fetched once', () => {
    const md5Only = (product: string) =>
      streamItem({
        contentId: 'c', product, version: '1', item: 'root-tgz', ftype: 'root-tgz', path: 'custom/root-tgz',
        checksums: { md5: 'D41D8CD98F00B204E9800998ECF8427E' },
        fields: { os: 'custom', release: product, arch: 'amd64', label: 'stable' },
      });
    const selectAll: Selection = { os: '*', release: '*', arches: ['*'], subarches: ['*'], labels: ['*'] };
    const result = plan([source(1, [md5Only('a'), md5Only('b')], [selectAll])], { storeHas: () => true });
    expect(result.wantedSets.map((s) => s.files[0]!.sha256)).toEqual([null, null]);
    expect(result.fetch).toHaveLength(1);
    expect(result.fetch[0]).toMatchObject({ sha256: null, contentKey: 'md5:d41d8cd98f00b204e9800998ecf8427e', checksums: { md5: 'D41D8CD98F00B204E9800998ECF8427E' } });
  });
});

describe('sets the region already holds', () => {
  const items = ubuntuVersion({ serial: '20250618' });
  const image = plan([source(1, items)]).wantedSets[0]!.image;

  it('a complete set of the same version is already complete: nothing to fetch', () => {
    const result = plan([source(1, items)], { held: [{ image, version: '20250618', complete: true }] });
    expect(result.wantedSets).toEqual([]);
    expect(result.fetch).toEqual([]);
    expect(result.alreadyComplete.map((s) => s.version)).toEqual(['20250618']);
  });

  it('an incomplete set of the same version is finished, fetching what the store lacks', () => {
    const result = plan([source(1, items)], { held: [{ image, version: '20250618', complete: false }], storeHas: new Set([sha(items, 'squashfs')]) });
    expect(setsOf(result)).toEqual(['1 ubuntu/noble amd64/ga-24.04 20250618']);
    expect(result.fetch.map((f) => f.ref.item).sort()).toEqual(['boot-initrd', 'boot-kernel', 'manifest']);
  });

  it('a complete set newer than the source offers is left alone (upstream went back)', () => {
    const result = plan([source(1, items)], { held: [{ image, version: '20250701', complete: true }] });
    expect(result).toEqual({ wantedSets: [], fetch: [], alreadyComplete: [] });
  });

  it('a complete older set does not stop the new version', () => {
    const result = plan([source(1, items)], { held: [{ image, version: '20250101', complete: true }] });
    expect(setsOf(result)).toEqual(['1 ubuntu/noble amd64/ga-24.04 20250618']);
    expect(result.fetch).toHaveLength(4);
  });
});
