import type { ImageFacts } from './boot-image.js';

/** Matches any value in a Selection field. */
export const ANY = '*';

/** What an operator selects from a boot source, as MAAS's BootSourceSelection (`*` = any). */
export interface Selection {
  readonly os: string;
  readonly release: string;
  readonly arches: readonly string[];
  /** A product matches when its subarch (MAAS naming, with kflavor) or any entry of its `subarches` is listed. */
  readonly subarches: readonly string[];
  readonly labels: readonly string[];
}

/**
 * MAAS's allow-list of bootloaders (download_descriptions.py): the only ones it imports, whatever the selections.
 * Keys are the bootloader's `os` (its package), values the architectures wanted.
 */
const WANTED_BOOTLOADERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['pxelinux', ['i386']],
  ['grub-efi-signed', ['amd64']],
  ['grub-efi', ['arm64']],
  ['grub-ieee1275', ['ppc64el']],
]);

/** MAAS `image_passes_filter`: os, release, arch, subarch and label each equal to a selected value or `*`. */
export function imageMatches(image: ImageFacts, selection: Selection): boolean {
  return (
    oneOf([selection.os], image.os) &&
    oneOf([selection.release], image.release) &&
    oneOf(selection.arches, image.arch) &&
    (oneOf(selection.subarches, image.subarch) || image.subarches.some((s) => selection.subarches.includes(s))) &&
    oneOf(selection.labels, image.label)
  );
}

/** A bootloader MAAS's allow-list names (pxe = pxelinux/i386, uefi = grub-efi-signed/amd64 and grub-efi/arm64...). */
export function isWantedBootloader(image: ImageFacts): boolean {
  return image.kind === 'bootloader' && (WANTED_BOOTLOADERS.get(image.os)?.includes(image.arch) ?? false);
}

/**
 * Whether the region wants an image: allow-listed bootloaders always, other images when a selection matches.
 * No selections select no OS image: MAAS's "empty list = everything" never applies to a real source, since MAAS
 * always adds the bootloaders to a source's selection list.
 */
export function isImageWanted(image: ImageFacts, selections: readonly Selection[]): boolean {
  if (image.kind === 'bootloader') return isWantedBootloader(image);
  return selections.some((s) => imageMatches(image, s));
}

function oneOf(allowed: readonly string[], value: string): boolean {
  return allowed.includes(ANY) || allowed.includes(value);
}
