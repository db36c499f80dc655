import type { FieldValue, ProductItem } from '../streams/types.js';

/** The kinds of product a MAAS stream carries that bootsync imports. */
export type ImageKind = 'ubuntu' | 'centos' | 'bootloader' | 'other';

/** The MAAS boot resource an image becomes: unique per (name, architecture), as MAAS's BootResource. */
export interface ImageIdentity {
  /** "os/release" ("ubuntu/noble", "centos/centos70"); bootloaders "os/bootloader-type" ("grub-efi-signed/uefi"). */
  readonly name: string;
  /** "arch/subarch" ("amd64/ga-24.04", "amd64/hwe-24.04-lowlatency-edge"); bootloaders "arch/generic". */
  readonly architecture: string;
}

/** What selection matching and clean-up read of an image; a BootImage has it, and so can a row the region holds. */
export interface ImageFacts {
  readonly kind: ImageKind;
  readonly os: string;
  /** Bootloaders: their bootloader type, as MAAS's BootSourceCache does. */
  readonly release: string;
  readonly arch: string;
  /** As MAAS names it: Ubuntu's kernel flavour appended when not generic (`ga-24.04-lowlatency`). */
  readonly subarch: string;
  /** The subarches this image also serves (the stream's `subarches` CSV); always includes `subarch`. */
  readonly subarches: readonly string[];
  /** Stream label ("stable", "candidate"). */
  readonly label: string;
}

interface BootImageBase extends ImageFacts {
  readonly identity: ImageIdentity;
  /** For people: the Images page and `boot-resources read`. */
  readonly title: string;
}

export interface UbuntuImage extends BootImageBase {
  readonly kind: 'ubuntu';
  /** Kernel flavour ("generic", "lowlatency"); already part of `subarch` when not generic. */
  readonly kflavor: string;
  /** "24.04 LTS", when the stream says. */
  readonly releaseTitle?: string;
  /** "Noble Numbat", when the stream says. */
  readonly releaseCodename?: string;
  /** The stream marks the release's newest kernel `rolling`: racks also lay it out under `hwe-rolling`. */
  readonly rolling?: boolean;
}

export interface CentosImage extends BootImageBase {
  readonly kind: 'centos';
  readonly releaseTitle?: string;
}

/** The bootloader types MAAS knows. */
export type BootloaderType = 'pxe' | 'uefi' | 'open-firmware';

export interface BootloaderImage extends BootImageBase {
  readonly kind: 'bootloader';
  readonly bootloaderType: BootloaderType;
  /** Architectures the bootloader boots (the stream's `arches`, e.g. "amd64, i386"). */
  readonly arches: readonly string[];
}

/** Another OS published MAAS-style (os, release, arch, label, a root image); imported when selected. */
export interface OtherImage extends BootImageBase {
  readonly kind: 'other';
  readonly releaseTitle?: string;
}

export type BootImage = UbuntuImage | CentosImage | BootloaderImage | OtherImage;

const BOOTLOADER_TYPES: readonly string[] = ['pxe', 'uefi', 'open-firmware'] satisfies BootloaderType[];

/** A map key for an identity: "ubuntu/noble/amd64/ga-24.04" (os names never contain "/"). */
export function imageKey(identity: ImageIdentity): string {
  return `${identity.name}/${identity.architecture}`;
}

/**
 * The image a stream item belongs to, from its inherited fields; `undefined` for products bootsync does not
 * import (notifications, unknown shapes), which are skipped rather than treated as errors.
 */
export function classifyItem(item: ProductItem): BootImage | undefined {
  return classifyFields(item.fields);
}

/** Same as `classifyItem`, from the flattened fields of a product (or any of its items). */
export function classifyFields(fields: Readonly<Record<string, FieldValue>>): BootImage | undefined {
  const get = (key: string): string | undefined => {
    const v = fields[key];
    return typeof v === 'string' || typeof v === 'number' ? String(v).trim() || undefined : undefined;
  };
  const os = get('os');
  const arch = get('arch');
  const label = get('label');
  if (!os || !arch || !label) return undefined;

  const bootloaderType = get('bootloader-type');
  if (bootloaderType !== undefined) {
    if (!BOOTLOADER_TYPES.includes(bootloaderType)) return undefined;
    const type = bootloaderType as BootloaderType;
    return {
      kind: 'bootloader', os, release: type, arch, subarch: 'generic', subarches: ['generic'], label,
      bootloaderType: type,
      arches: splitList(get('arches') ?? arch),
      title: `${os} (${type})`,
      identity: { name: `${os}/${type}`, architecture: `${arch}/generic` },
    };
  }

  const release = get('release');
  if (!release || release === 'notifications') return undefined;
  const releaseTitle = get('release_title');
  const common = (subarch: string) => ({
    os, release, arch, subarch, label,
    subarches: including(splitList(get('subarches') ?? ''), subarch),
    identity: { name: `${os}/${release}`, architecture: `${arch}/${subarch}` },
  });

  if (os === 'ubuntu') {
    const streamSubarch = get('subarch');
    if (!streamSubarch) return undefined;
    const kflavor = get('kflavor') ?? 'generic';
    const releaseCodename = get('release_codename');
    return {
      kind: 'ubuntu', ...common(ubuntuSubarch(streamSubarch, kflavor)), kflavor,
      title: `Ubuntu ${releaseTitle ?? release}`,
      ...(releaseTitle !== undefined && { releaseTitle }),
      ...(releaseCodename !== undefined && { releaseCodename }),
      ...(fields.rolling === true || fields.rolling === 'true' ? { rolling: true } : {}),
    };
  }
  const subarch = get('subarch') ?? 'generic';
  const titled = { title: releaseTitle ?? `${os} ${release}`, ...(releaseTitle !== undefined && { releaseTitle }) };
  if (os === 'centos') return { kind: 'centos', ...common(subarch), ...titled };
  return { kind: 'other', ...common(subarch), ...titled };
}

/**
 * MAAS's subarch for an Ubuntu product: the kernel flavour is appended when not generic, and an `-edge` suffix
 * stays last (`hwe-24.04-edge` + lowlatency → `hwe-24.04-lowlatency-edge`), matching the product names meph2 emits.
 */
export function ubuntuSubarch(subarch: string, kflavor: string): string {
  if (kflavor === 'generic') return subarch;
  const edge = subarch.endsWith('-edge');
  const base = edge ? subarch.slice(0, -'-edge'.length) : subarch;
  return `${base}-${kflavor}${edge ? '-edge' : ''}`;
}

/** Stream lists are CSV, sometimes with spaces ("amd64, i386"). */
function splitList(csv: string): string[] {
  return csv.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function including(list: readonly string[], value: string): string[] {
  return list.includes(value) ? [...list] : [...list, value];
}
