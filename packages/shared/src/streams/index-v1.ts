import { unsafePathReason } from '../source/relative-path.js';
import { compareBytes } from './byte-order.js';
import { StreamFormatError, UnsafePathError } from './errors.js';
import { isJsonObject, objectField, optionalString, parseJsonObject, requiredString } from './json-document.js';
import type { IndexEntry, StreamIndex } from './types.js';

export const INDEX_FORMAT = 'index:1.0';

/** Parses an `index:1.0` document (the payload only). Entries come sorted by content id. Pure. */
export function parseIndex(text: string, file: string): StreamIndex {
  const doc = parseJsonObject(text, file);
  const format = requiredString(doc, 'format', file);
  if (format !== INDEX_FORMAT) throw new StreamFormatError(file, `format is ${JSON.stringify(format)}, expected "${INDEX_FORMAT}"`);
  const entries = Object.entries(objectField(doc, 'index', file))
    .sort(([a], [b]) => compareBytes(a, b))
    .map(([contentId, node]): IndexEntry => {
      if (!isJsonObject(node)) throw new StreamFormatError(file, `index entry ${JSON.stringify(contentId)} must be an object`);
      const where = `${file} (index entry ${contentId})`;
      const path = requiredString(node, 'path', where);
      const unsafe = unsafePathReason(path);
      if (unsafe !== undefined) throw new UnsafePathError(where, path, unsafe);
      const products = node.products ?? [];
      if (!Array.isArray(products) || !products.every((p): p is string => typeof p === 'string')) {
        throw new StreamFormatError(where, '"products" must be a list of names');
      }
      return {
        contentId,
        datatype: optionalString(node, 'datatype', where) ?? '',
        format: optionalString(node, 'format', where) ?? '',
        path,
        products,
        updated: optionalString(node, 'updated', where),
      };
    });
  return { updated: optionalString(doc, 'updated', file), entries };
}
