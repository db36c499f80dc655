// Stream items for the select tests: MAAS-shaped products built as literals, and the real July 2025 excerpt.
import { createHash } from 'node:crypto';
import { readMirror, type Checksums, type FieldValue, type ProductItem } from '@bootsync/shared/streams';
import { realFixtures } from '@bootsync/testkit/fixtures';

const realMirror = realFixtures.maasStable2025;

const UBUNTU_CONTENT = 'com.ubuntu.maas:stable:v3:download';
const BOOTLOADER_CONTENT = 'com.ubuntu.maas:stable:1:bootloader-download';
const CENTOS_CONTENT = 'com.ubuntu.maas:stable:centos-bases-download';

/** A sha256 that looks real and differs per content name. */
function fakeSha256(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

interface ItemSpec {
  contentId: string;
  product: string;
  version: string;
  item: string;
  ftype: string;
  path: string;
  size?: number;
  checksums?: Checksums;
  fields: Readonly<Record<string, FieldValue>>;
}

/** One item as the stream parser yields it: inherited fields plus the names simplestreams adds. */
export function streamItem(spec: ItemSpec): ProductItem {
  const size = spec.size ?? 1000;
  const checksums = spec.checksums ?? { sha256: fakeSha256(spec.path) };
  return {
    ref: { contentId: spec.contentId, product: spec.product, version: spec.version, item: spec.item },
    fields: {
      ...spec.fields, ftype: spec.ftype, path: spec.path, size, ...checksums,
      content_id: spec.contentId, product_name: spec.product, version_name: spec.version, item_name: spec.item,
    },
    ftype: spec.ftype,
    path: spec.path,
    size,
    checksums,
  };
}

export interface UbuntuSpec {
  release?: string;
  version?: string;
  arch?: string;
  subarch?: string;
  kflavor?: string;
  label?: string;
  serial?: string;
  subarches?: string;
  /** Items to leave out, e.g. ['squashfs'] to make the version incomplete. */
  omit?: string[];
  /** Extra items: ftype → path. */
  extra?: Record<string, string>;
}

const RELEASES: Record<string, { version: string; title: string; codename: string }> = {
  noble: { version: '24.04', title: '24.04 LTS', codename: 'Noble Numbat' },
  jammy: { version: '22.04', title: '22.04 LTS', codename: 'Jammy Jellyfish' },
};

/** The items of one version of a v3 Ubuntu product, named and laid out as meph2 does. */
export function ubuntuVersion(spec: UbuntuSpec = {}): ProductItem[] {
  const release = spec.release ?? 'noble';
  const meta = RELEASES[release] ?? { version: release, title: release, codename: release };
  const arch = spec.arch ?? 'amd64';
  const subarch = spec.subarch ?? `ga-${meta.version}`;
  const kflavor = spec.kflavor ?? 'generic';
  const label = spec.label ?? 'stable';
  const serial = spec.serial ?? '20250618';
  const psubarch = kflavor === 'generic' ? subarch : subarch.replace(/(-edge)?$/, `-${kflavor}$1`);
  const product = `com.ubuntu.maas.${label}:v3:boot:${meta.version}:${arch}:${psubarch}`;
  const fields = {
    os: 'ubuntu', release, arch, subarch, kflavor, label, krel: release, version: meta.version,
    release_title: meta.title, release_codename: meta.codename,
    subarches: spec.subarches ?? `generic,ga-22.04,${subarch}`,
  };
  const files: Record<string, string> = {
    'boot-kernel': `${release}/${arch}/${serial}/${subarch}/${kflavor}/boot-kernel`,
    'boot-initrd': `${release}/${arch}/${serial}/${subarch}/${kflavor}/boot-initrd`,
    manifest: `${release}/${arch}/${serial}/squashfs.manifest`,
    squashfs: `${release}/${arch}/${serial}/squashfs`,
    ...spec.extra,
  };
  return Object.entries(files)
    .filter(([ftype]) => !(spec.omit ?? []).includes(ftype))
    .map(([ftype, p]) => streamItem({ contentId: UBUNTU_CONTENT, product, version: serial, item: ftype, ftype, path: p, fields }));
}

/** One version of a bootloader product, with one archive.tar.xz per source package. */
export function bootloaderVersion(os: string, type: string, arch: string, version = '20230222.0', packages = ['grub2']): ProductItem[] {
  const product = `com.ubuntu.maas.stable:1:${os}:${type}:${arch}`;
  const fields = { os, arch, arches: arch, 'bootloader-type': type, label: 'stable' };
  return packages.map((pkg) =>
    streamItem({
      contentId: BOOTLOADER_CONTENT, product, version, item: pkg, ftype: 'archive.tar.xz',
      path: `bootloaders/${type}/${arch}/${version}/${pkg}.tar.xz`, fields,
    }),
  );
}

/** One version of a CentOS base image. */
export function centosVersion(release = 'centos70', version = '20240604_01'): ProductItem[] {
  const product = `com.ubuntu.maas.stable:centos-bases:${release}:amd64`;
  const fields = { os: 'centos', release, arch: 'amd64', subarch: 'generic', subarches: 'generic', label: 'stable', release_title: 'CentOS 7' };
  return ['root-tgz', 'manifest'].map((ftype) =>
    streamItem({
      contentId: CENTOS_CONTENT, product, version, item: ftype, ftype,
      path: `centos/${release}/amd64/${version}/${ftype === 'manifest' ? 'root-tgz.manifest' : 'root-tgz'}`, fields,
    }),
  );
}

/** The real fixture's items, read by the stream reader as the region reads a source (unsigned: it is an excerpt). */
export async function realItems(): Promise<ProductItem[]> {
  return [...(await readMirror(realMirror, { verify: false })).items];
}
