import { unsafePathReason } from '../source/relative-path.js';
import { expandAliases } from './aliases.js';
import { compareBytes } from './byte-order.js';
import { StreamFormatError, UnsafePathError } from './errors.js';
import type { ItemRef } from './item-ref.js';
import { isJsonObject, objectField, requiredString, type JsonObject } from './json-document.js';
import type { Checksums, FieldValue, ProductItem } from './types.js';

const CHECKSUMS = [
  { name: 'sha512', hexLength: 128 },
  { name: 'sha256', hexLength: 64 },
  { name: 'md5', hexLength: 32 },
] as const;

/**
 * Every item of a `products:1.0` document, flattened as simplestreams' `products_exdata` does: `_aliases`
 * expanded, then the scalar fields of the top level, the product, the version and the item layered in that order
 * (lower levels win), plus `product_name`, `version_name`, `item_name`. Items come sorted by product, version and
 * item in byte order (versions newest last). Each item is checked to be downloadable: `ftype`, a safe `path`, an
 * integer `size` and at least one checksum. Pure.
 */
export function flattenProducts(document: JsonObject, file: string): ProductItem[] {
  const doc = expandAliases(document, file);
  const contentId = requiredString(doc, 'content_id', file);
  const top = scalars(doc);
  const items: ProductItem[] = [];
  for (const [product, productNode] of sortedEntries(objectField(doc, 'products', file), file, 'product')) {
    const productFields = { ...top, ...scalars(productNode), product_name: product };
    const versions = productNode.versions === undefined ? {} : objectField(productNode, 'versions', file);
    for (const [version, versionNode] of sortedEntries(versions, file, `version of ${product}`)) {
      const versionFields = { ...productFields, ...scalars(versionNode), version_name: version };
      const itemsNode = versionNode.items === undefined ? {} : objectField(versionNode, 'items', file);
      for (const [item, itemNode] of sortedEntries(itemsNode, file, `item of ${product} ${version}`)) {
        const ref: ItemRef = { contentId, product, version, item };
        items.push(toProductItem(ref, { ...versionFields, ...scalars(itemNode), item_name: item }, file));
      }
    }
  }
  return items;
}

function toProductItem(ref: ItemRef, fields: Record<string, FieldValue>, file: string): ProductItem {
  const text = (key: string): string => {
    const value = fields[key];
    if (value === undefined) throw new StreamFormatError(file, `missing "${key}"`, ref);
    if (typeof value !== 'string' || value === '') throw new StreamFormatError(file, `"${key}" must be a non-empty string`, ref);
    return value;
  };
  const ftype = text('ftype');
  const path = text('path');
  const unsafe = unsafePathReason(path);
  if (unsafe !== undefined) throw new UnsafePathError(file, path, unsafe, ref);
  const size = fields.size;
  if (size === undefined) throw new StreamFormatError(file, 'missing "size"', ref);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new StreamFormatError(file, `"size" must be a non-negative integer, not ${JSON.stringify(size)}`, ref);
  }
  return { ref, fields, ftype, path, size, checksums: checksumsOf(fields, ref, file) };
}

function checksumsOf(fields: Record<string, FieldValue>, ref: ItemRef, file: string): Checksums {
  const checksums: { -readonly [K in keyof Checksums]: string } = {};
  for (const { name, hexLength } of CHECKSUMS) {
    const value = fields[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length !== hexLength || !/^[0-9a-fA-F]+$/.test(value)) {
      throw new StreamFormatError(file, `"${name}" must be ${hexLength} hex digits`, ref);
    }
    checksums[name] = value.toLowerCase();
  }
  if (Object.keys(checksums).length === 0) throw new StreamFormatError(file, 'missing checksum (md5, sha256 or sha512)', ref);
  return checksums;
}

/** The fields simplestreams inherits: strings and numbers (and booleans, which Python counts as numbers). */
function scalars(node: JsonObject): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [key, value] of Object.entries(node)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

function sortedEntries(parent: JsonObject, file: string, what: string): [string, JsonObject][] {
  const entries = Object.entries(parent).sort(([a], [b]) => compareBytes(a, b));
  return entries.map(([name, node]) => {
    if (!isJsonObject(node)) throw new StreamFormatError(file, `${what} ${JSON.stringify(name)} must be an object`);
    return [name, node];
  });
}
