import { compareBytes } from './byte-order.js';
import { matchesAll, type ItemFilter } from './item-filter.js';
import type { ProductItem } from './types.js';

export interface ItemSelection {
  /** All must match (ANDed), as sstream-query and sstream-mirror apply them. */
  readonly filters: readonly ItemFilter[];
  /** Keep the newest `max` versions of each product (`--max`); all when absent. */
  readonly max?: number;
}

/**
 * The items sstream-query and sstream-mirror act on: filters first (a version whose items all fail is gone), then
 * the newest `max` versions of each product (simplestreams' `resolve_work` on version names sorted newest first,
 * byte order). Keeps the order of `items`. Pure.
 */
export function selectItems(items: readonly ProductItem[], selection: ItemSelection): ProductItem[] {
  const matching = items.filter((item) => matchesAll(selection.filters, item.fields));
  const max = selection.max;
  if (max === undefined) return matching;
  const versions = new Map<string, Set<string>>();
  for (const item of matching) {
    const key = productKey(item);
    const known = versions.get(key) ?? new Set<string>();
    known.add(item.ref.version);
    versions.set(key, known);
  }
  const kept = new Map<string, Set<string>>();
  for (const [key, names] of versions) kept.set(key, new Set([...names].sort(compareBytes).reverse().slice(0, max)));
  return matching.filter((item) => kept.get(productKey(item))?.has(item.ref.version) === true);
}

/** A product is named within its content id (the same product name may appear in two products files). */
function productKey(item: ProductItem): string {
  return `${item.ref.contentId}\0${item.ref.product}`;
}
