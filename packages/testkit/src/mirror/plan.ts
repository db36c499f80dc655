import type { FieldValue } from '@bootsync/shared/streams';
import type { PayloadFtype, ResolvedSpec, UbuntuRelease } from './spec.js';

/** One item before its payload is written (its sha256 and size come from the file). */
export interface ItemPlan {
  readonly ftype: PayloadFtype;
  readonly path: string;
  readonly fields?: Readonly<Record<string, FieldValue>>;
  /** Bootloader archives: names of the files inside the tar.xz. */
  readonly archiveMembers?: readonly string[];
}

interface ProductPlan {
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly versions: Record<string, Record<string, ItemPlan>>;
}

export interface CatalogPlan {
  readonly contentId: string;
  readonly products: Record<string, ProductPlan>;
}

/** The three MAAS content ids for a label. */
export function contentIds(label: string): { ubuntu: string; bootloaders: string; centos: string } {
  return {
    ubuntu: `com.ubuntu.maas:${label}:v3:download`,
    bootloaders: `com.ubuntu.maas:${label}:1:bootloader-download`,
    centos: `com.ubuntu.maas:${label}:centos-bases-download`,
  };
}

/** The catalogs a spec describes, shaped like images.maas.io's ephemeral-v3 stream. Pure. */
export function planCatalogs(spec: ResolvedSpec): CatalogPlan[] {
  const ids = contentIds(spec.label);
  const catalogs: CatalogPlan[] = [{ contentId: ids.ubuntu, products: ubuntuProducts(spec) }];
  if (spec.bootloaders) catalogs.push({ contentId: ids.bootloaders, products: bootloaderProducts(spec.label) });
  if (spec.centos) catalogs.push({ contentId: ids.centos, products: centosProducts(spec.label) });
  return catalogs;
}

function ubuntuProducts(spec: ResolvedSpec): Record<string, ProductPlan> {
  const products: Record<string, ProductPlan> = {};
  for (const rel of spec.releases) {
    for (const arch of spec.arches) {
      for (const subarch of [`ga-${rel.version}`, `hwe-${rel.version}`]) {
        const name = `com.ubuntu.maas.${spec.label}:v3:boot:${rel.version}:${arch}:${subarch}`;
        const product: ProductPlan = { fields: ubuntuFields(rel, arch, subarch, spec.label), versions: {} };
        for (const serial of spec.versions) product.versions[serial] = ubuntuItems(rel, arch, subarch, serial);
        products[name] = product;
      }
    }
  }
  return products;
}

function ubuntuFields(rel: UbuntuRelease, arch: string, subarch: string, label: string): Record<string, FieldValue> {
  return {
    arch,
    kflavor: 'generic',
    krel: rel.release,
    label,
    os: 'ubuntu',
    release: rel.release,
    release_codename: rel.codename,
    release_title: rel.title,
    subarch,
    subarches: `generic,${subarch}`,
    support_eol: '2029-05-31',
    support_esm_eol: '2034-04-25',
    version: rel.version,
  };
}

/**
 * Kernel and initrd per subarch; squashfs and manifest shared by every product of the release/arch/serial,
 * as on images.maas.io.
 */
export function ubuntuItems(rel: UbuntuRelease, arch: string, subarch: string, serial: string): Record<string, ItemPlan> {
  const kpackage = subarch.startsWith('hwe-') ? `linux-generic-hwe-${rel.version}` : 'linux-generic';
  const dir = `${rel.release}/${arch}/${serial}`;
  return {
    'boot-initrd': { ftype: 'boot-initrd', path: `${dir}/${subarch}/generic/boot-initrd`, fields: { kpackage } },
    'boot-kernel': { ftype: 'boot-kernel', path: `${dir}/${subarch}/generic/boot-kernel`, fields: { kpackage } },
    manifest: { ftype: 'manifest', path: `${dir}/squashfs.manifest` },
    squashfs: { ftype: 'squashfs', path: `${dir}/squashfs` },
  };
}

function bootloaderProducts(label: string): Record<string, ProductPlan> {
  const version = '20230615.0';
  const archive = (type: string, arch: string, pkg: string, members: string[]): ItemPlan => ({
    ftype: 'archive.tar.xz',
    path: `bootloaders/${type}/${arch}/${version}/${pkg}.tar.xz`,
    fields: { src_package: pkg, src_release: 'jammy', src_version: '1.0-0ubuntu1' },
    archiveMembers: members,
  });
  return {
    [`com.ubuntu.maas.${label}:1:grub-efi-signed:uefi:amd64`]: {
      fields: { arch: 'amd64', arches: 'amd64', 'bootloader-type': 'uefi', label, os: 'grub-efi-signed' },
      versions: {
        [version]: {
          'grub2-signed': archive('uefi', 'amd64', 'grub2-signed', ['grubx64.efi']),
          'shim-signed': archive('uefi', 'amd64', 'shim-signed', ['bootx64.efi']),
        },
      },
    },
    [`com.ubuntu.maas.${label}:1:pxelinux:pxe:amd64`]: {
      fields: { arch: 'amd64', arches: 'amd64, i386', 'bootloader-type': 'pxe', label, os: 'pxelinux' },
      versions: { [version]: { syslinux: archive('pxe', 'amd64', 'syslinux', ['ldlinux.c32', 'pxelinux.0']) } },
    },
  };
}

function centosProducts(label: string): Record<string, ProductPlan> {
  const version = '20240604_01';
  const dir = `centos/centos70/amd64/${version}`;
  return {
    [`com.ubuntu.maas.${label}:centos-bases:7.0:amd64`]: {
      fields: {
        arch: 'amd64',
        label,
        os: 'centos',
        release: 'centos70',
        release_title: 'CentOS 7',
        subarch: 'generic',
        subarches: 'generic',
        support_eol: '2024-06-30',
        version: '7.0',
      },
      versions: {
        [version]: {
          manifest: { ftype: 'manifest', path: `${dir}/root-tgz.manifest` },
          'root-tgz': { ftype: 'root-tgz', path: `${dir}/root-tgz` },
        },
      },
    },
  };
}
