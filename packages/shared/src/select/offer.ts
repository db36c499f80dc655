import type { ProductItem } from '../streams/types.js';
import type { BootloaderType, ImageKind } from './boot-image.js';
import { NoAvailableImagesError } from './errors.js';
import { offeredImages } from './offered-sets.js';
import { ANY, type Selection } from './selection.js';

/** One os/release a source offers, across its architectures (a row of the Images page, MAAS BootSourceCache). */
export interface OfferedRelease {
  readonly kind: ImageKind;
  readonly os: string;
  /** Bootloaders: their bootloader type. */
  readonly release: string;
  readonly title: string;
  /** "24.04 LTS", when the stream says. */
  readonly releaseTitle?: string;
  /** "Noble Numbat", when the stream says. */
  readonly releaseCodename?: string;
  /** Bootloaders only. */
  readonly bootloaderType?: BootloaderType;
  /** In stream order, each once. */
  readonly arches: readonly string[];
  /** Every subarch a selection may name to match one of these images (MAAS names and `subarches` entries). */
  readonly subarches: readonly string[];
  readonly labels: readonly string[];
}

/** What a source offers: only images with at least one complete version. */
export interface Offer {
  readonly images: readonly OfferedRelease[];
}

/** Summarize a source's items for `boot-sources/?op=fetch`, the Images page and selection validation. */
export function summarizeOffer(items: readonly ProductItem[]): Offer {
  const releases = new Map<string, OfferedReleaseDraft>();
  for (const image of offeredImages(items)) {
    const key = JSON.stringify([image.os, image.release]);
    let entry = releases.get(key);
    if (!entry) {
      entry = {
        kind: image.kind, os: image.os, release: image.release, title: image.title,
        ...(image.kind !== 'bootloader' && image.releaseTitle !== undefined && { releaseTitle: image.releaseTitle }),
        ...(image.kind === 'ubuntu' && image.releaseCodename !== undefined && { releaseCodename: image.releaseCodename }),
        ...(image.kind === 'bootloader' && { bootloaderType: image.bootloaderType }),
        arches: new Set(), subarches: new Set(), labels: new Set(),
      };
      releases.set(key, entry);
    }
    entry.arches.add(image.arch);
    for (const s of image.subarches) entry.subarches.add(s);
    entry.labels.add(image.label);
  }
  return {
    images: [...releases.values()].map((r) => ({ ...r, arches: [...r.arches], subarches: [...r.subarches], labels: [...r.labels] })),
  };
}

/**
 * Check a selection against what its source offers, as MAAS's selection form does: the os/release first (nothing
 * else is checked without it), then each of arches, subarches and labels. Returns every error to report (MAAS's
 * words, one per field); none when the selection can match something.
 */
export function validateSelection(selection: Selection, offer: Offer): NoAvailableImagesError[] {
  const { os, release } = selection;
  const releases = offer.images.filter((r) => matchesOne(os, r.os) && matchesOne(release, r.release));
  if (releases.length === 0) return [new NoAvailableImagesError({ field: 'os', os, release })];
  return (['arches', 'subarches', 'labels'] as const).flatMap((field) => {
    const wanted = selection[field];
    if (wanted.includes(ANY)) return [];
    const offered = new Set(releases.flatMap((r) => r[field]));
    const missing = wanted.filter((v) => !offered.has(v));
    return missing.length > 0 ? [new NoAvailableImagesError({ field, os, release, missing })] : [];
  });
}

type OfferedReleaseDraft = Omit<OfferedRelease, 'arches' | 'subarches' | 'labels'> & {
  arches: Set<string>;
  subarches: Set<string>;
  labels: Set<string>;
};

function matchesOne(selected: string, value: string): boolean {
  return selected === ANY || selected === value;
}
