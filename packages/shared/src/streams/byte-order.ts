import type { ItemRef } from './item-ref.js';

/**
 * Compares as a C-locale byte sort does (simplestreams sorts version names that way: newest last).
 * Differs from `<` on strings only outside the BMP, but stays exact everywhere.
 */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Version names oldest first, newest last. */
export function sortVersionNames(names: Iterable<string>): string[] {
  return [...names].sort(compareBytes);
}

/** Items in stream order: content id, product, version (newest last), item, each in byte order. */
export function compareItemRefs(a: ItemRef, b: ItemRef): number {
  return (
    compareBytes(a.contentId, b.contentId) ||
    compareBytes(a.product, b.product) ||
    compareBytes(a.version, b.version) ||
    compareBytes(a.item, b.item)
  );
}
