/** What `createSignedMirror` writes. Every field has a small default so tests stay fast. */
export interface MirrorSpec {
  /** @defaultValue 'stable' */
  readonly label?: string;
  /** @defaultValue jammy (22.04) and noble (24.04) */
  readonly releases?: readonly UbuntuRelease[];
  /** @defaultValue ['amd64', 'arm64'] */
  readonly arches?: readonly string[];
  /** Version serials of every Ubuntu product, any order. @defaultValue ['20250615', '20250718'] */
  readonly versions?: readonly string[];
  /** Bytes per payload, by ftype; large values are written in chunks. @defaultValue {@link DEFAULT_SIZES} */
  readonly sizes?: Partial<Record<PayloadFtype, number>>;
  /** @defaultValue true */
  readonly bootloaders?: boolean;
  /** @defaultValue true */
  readonly centos?: boolean;
  /** `updated` of every document. @defaultValue 2025-07-24T08:01:49Z */
  readonly updated?: Date;
}

export interface UbuntuRelease {
  readonly release: string;
  readonly version: string;
  readonly title: string;
  readonly codename: string;
}

export type PayloadFtype = 'boot-kernel' | 'boot-initrd' | 'squashfs' | 'manifest' | 'root-tgz' | 'archive.tar.xz';

export const DEFAULT_SIZES: Readonly<Record<PayloadFtype, number>> = {
  'boot-kernel': 4096,
  'boot-initrd': 8192,
  squashfs: 16384,
  manifest: 512,
  'root-tgz': 8192,
  'archive.tar.xz': 2048,
};

export const DEFAULT_RELEASES: readonly UbuntuRelease[] = [
  { release: 'jammy', version: '22.04', title: '22.04 LTS', codename: 'Jammy Jellyfish' },
  { release: 'noble', version: '24.04', title: '24.04 LTS', codename: 'Noble Numbat' },
];

export interface ResolvedSpec {
  readonly label: string;
  readonly releases: readonly UbuntuRelease[];
  readonly arches: readonly string[];
  readonly versions: readonly string[];
  readonly sizes: Readonly<Record<PayloadFtype, number>>;
  readonly bootloaders: boolean;
  readonly centos: boolean;
  readonly updated: Date;
}

export function resolveSpec(spec: MirrorSpec = {}): ResolvedSpec {
  return {
    label: spec.label ?? 'stable',
    releases: spec.releases ?? DEFAULT_RELEASES,
    arches: spec.arches ?? ['amd64', 'arm64'],
    versions: spec.versions ?? ['20250615', '20250718'],
    sizes: { ...DEFAULT_SIZES, ...spec.sizes },
    bootloaders: spec.bootloaders ?? true,
    centos: spec.centos ?? true,
    updated: spec.updated ?? new Date('2025-07-24T08:01:49Z'),
  };
}

