import { compareBytes } from '../streams/byte-order.js';
import type { ProductItem } from '../streams/types.js';
import { classifyItem, imageKey, type BootImage } from './boot-image.js';
import { setFiles } from './set-files.js';

/** One version of one image that a source offers complete: the files of a MAAS resource set. */
export interface OfferedSet {
  readonly image: BootImage;
  /** The stream's version name ("20250618", "20230222.0"). */
  readonly version: string;
  /** The set's files, in the order `setFiles` gives (required first). */
  readonly items: readonly ProductItem[];
}

/**
 * Every complete image version in a list of stream items, in the order of first appearance. Items of unknown
 * products are skipped; a version missing a required file is left out.
 */
export function offeredSets(items: readonly ProductItem[]): OfferedSet[] {
  const groups = new Map<string, { image: BootImage; version: string; items: ProductItem[] }>();
  for (const item of items) {
    const image = classifyItem(item);
    if (!image) continue;
    const key = JSON.stringify([item.ref.contentId, item.ref.product, item.ref.version]);
    const group = groups.get(key);
    if (group) group.items.push(item);
    else groups.set(key, { image, version: item.ref.version, items: [item] });
  }
  return [...groups.values()].flatMap(({ image, version, items: versionItems }) => {
    const files = setFiles(image, versionItems);
    return files ? [{ image, version, items: files }] : [];
  });
}

/**
 * The newest complete version of each image (MAAS imports with max_items=1; versions sort newest-last by bytes). When two products of one source
 * map to the same image, the newer version wins.
 */
export function newestSets(items: readonly ProductItem[]): OfferedSet[] {
  const newest = new Map<string, OfferedSet>();
  for (const set of offeredSets(items)) {
    const key = imageKey(set.image.identity);
    const known = newest.get(key);
    if (!known || compareBytes(set.version, known.version) > 0) newest.set(key, set);
  }
  return [...newest.values()];
}

/** The images a source offers (each once, with a complete version), e.g. for `planCleanup`'s `offered`. */
export function offeredImages(items: readonly ProductItem[]): BootImage[] {
  return newestSets(items).map((s) => s.image);
}
