import { ContentIdMismatchError, StreamFormatError } from './errors.js';
import { flattenProducts } from './flatten.js';
import { optionalString, parseJsonObject, requiredString } from './json-document.js';
import type { ProductsCatalog } from './types.js';

export const PRODUCTS_FORMAT = 'products:1.0';

/**
 * Parses a `products:1.0` document (the payload only: signatures are checked before) into its flattened items.
 * `expectedContentId` is the index entry's key; a file claiming another content id is refused. Pure.
 */
export function parseProducts(text: string, file: string, expectedContentId?: string): ProductsCatalog {
  const doc = parseJsonObject(text, file);
  const format = optionalString(doc, 'format', file);
  if (format !== undefined && format !== PRODUCTS_FORMAT) {
    throw new StreamFormatError(file, `format is ${JSON.stringify(format)}, expected "${PRODUCTS_FORMAT}"`);
  }
  const contentId = requiredString(doc, 'content_id', file);
  if (expectedContentId !== undefined && contentId !== expectedContentId) {
    throw new ContentIdMismatchError(file, expectedContentId, contentId);
  }
  return {
    contentId,
    datatype: optionalString(doc, 'datatype', file) ?? '',
    updated: optionalString(doc, 'updated', file),
    items: flattenProducts(doc, file),
  };
}
