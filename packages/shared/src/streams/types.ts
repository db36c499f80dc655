import type { ItemRef } from './item-ref.js';

/** A flattened field keeps its JSON type (`size` stays a number), unlike Python simplestreams which stringifies. */
export type FieldValue = string | number | boolean;

/** The checksums an item may carry; the strongest present (sha512 > sha256 > md5) is the one checked. */
export interface Checksums {
  readonly md5?: string;
  readonly sha256?: string;
  readonly sha512?: string;
}

/**
 * One downloadable file of a stream, after attribute inheritance (top level → product → version → item,
 * lower levels winning) and `_aliases` expansion.
 */
export interface ProductItem {
  readonly ref: ItemRef;
  /** Every inherited scalar field, plus content_id, product_name, version_name and item_name. */
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly ftype: string;
  /** Relative to the mirror root; already checked to stay inside it. */
  readonly path: string;
  readonly size: number;
  readonly checksums: Checksums;
}

/** An `index:1.0` entry pointing at a products file. */
export interface IndexEntry {
  readonly contentId: string;
  readonly datatype: string;
  readonly format: string;
  readonly path: string;
  readonly products: readonly string[];
  readonly updated?: string;
}

export interface StreamIndex {
  readonly updated?: string;
  readonly entries: readonly IndexEntry[];
}

/** A parsed `products:1.0` file, flattened to its items (sorted by product, then version, then item). */
export interface ProductsCatalog {
  readonly contentId: string;
  readonly datatype: string;
  readonly updated?: string;
  readonly items: readonly ProductItem[];
}
