import { compareBytes } from './byte-order.js';
import { INDEX_FORMAT } from './index-v1.js';
import { PRODUCTS_FORMAT } from './products-v1.js';
import type { FieldValue } from './types.js';

/** Item fields as written: at least `ftype`, `path`, `size` and a checksum, plus any scalar (`kpackage`...). */
export type StreamItemInput = Readonly<Record<string, FieldValue>>;

export interface StreamVersionInput {
  readonly fields?: Readonly<Record<string, FieldValue>>;
  readonly items: Readonly<Record<string, StreamItemInput>>;
}

export interface StreamProductInput {
  /** Product-level fields, inherited by every item (`os`, `arch`, `release`...). */
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly versions: Readonly<Record<string, StreamVersionInput>>;
}

export interface ProductsDocumentInput {
  readonly contentId: string;
  /** @defaultValue 'image-ids' (what MAAS uses) */
  readonly datatype?: string;
  readonly updated: Date;
  readonly products: Readonly<Record<string, StreamProductInput>>;
}

export interface IndexEntryInput {
  readonly contentId: string;
  readonly datatype: string;
  /** Relative to the mirror root, e.g. `streams/v1/<content_id>.sjson`. */
  readonly path: string;
  readonly products: readonly string[];
  readonly updated: Date;
}

type Json = FieldValue | Json[] | { [key: string]: Json };

/** A `products:1.0` document, shaped as meph2 writes it. Pure. */
export function buildProductsDocument(input: ProductsDocumentInput): Record<string, Json> {
  const products: Record<string, Json> = {};
  for (const [name, product] of Object.entries(input.products)) {
    const versions: Record<string, Json> = {};
    for (const [version, v] of Object.entries(product.versions)) {
      versions[version] = { ...v.fields, items: { ...v.items } };
    }
    products[name] = { ...product.fields, versions };
  }
  return {
    content_id: input.contentId,
    datatype: input.datatype ?? 'image-ids',
    format: PRODUCTS_FORMAT,
    products,
    updated: formatStreamDate(input.updated),
  };
}

/** The index entry meph2's `create_index` writes for a products document. Pure. */
export function indexEntryFor(input: ProductsDocumentInput, path: string): IndexEntryInput {
  return {
    contentId: input.contentId,
    datatype: input.datatype ?? 'image-ids',
    path,
    products: Object.keys(input.products).sort(compareBytes),
    updated: input.updated,
  };
}

/** An `index:1.0` document. Pure. */
export function buildIndexDocument(entries: readonly IndexEntryInput[], updated: Date): Record<string, Json> {
  const index: Record<string, Json> = {};
  for (const e of entries) {
    index[e.contentId] = {
      datatype: e.datatype,
      format: PRODUCTS_FORMAT,
      path: e.path,
      products: [...e.products].sort(compareBytes),
      updated: formatStreamDate(e.updated),
    };
  }
  return { format: INDEX_FORMAT, index, updated: formatStreamDate(updated) };
}

/**
 * Serializes like meph2 (`json.dumps(indent=1, sort_keys=True)` + `\n`), non-ASCII escaped as Python does by
 * default, so the same tree gives the same bytes (and the same signatures) on every run.
 */
export function serializeStreamDocument(doc: Record<string, Json>): string {
  const json = JSON.stringify(sortKeys(doc), null, 1).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${json}\n`;
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object') return value;
  const out: Record<string, Json> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]!);
  return out;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 2822 in UTC, as streams write `updated`: `Thu, 24 Jul 2025 08:01:49 +0000`. */
export function formatStreamDate(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}
