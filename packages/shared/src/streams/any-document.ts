import { StreamFormatError } from './errors.js';
import { INDEX_FORMAT, parseIndex } from './index-v1.js';
import { parseJsonObject } from './json-document.js';
import { PRODUCTS_FORMAT, parseProducts } from './products-v1.js';
import type { ProductsCatalog, StreamIndex } from './types.js';

export type ParsedStreamDocument =
  | { readonly format: typeof INDEX_FORMAT; readonly index: StreamIndex }
  | { readonly format: typeof PRODUCTS_FORMAT; readonly catalog: ProductsCatalog };

/** Parses an index or a products document, whichever its top-level `format` says. Pure. */
export function parseStreamDocument(text: string, file: string): ParsedStreamDocument {
  const format = parseJsonObject(text, file).format;
  if (format === INDEX_FORMAT) return { format, index: parseIndex(text, file) };
  if (format === PRODUCTS_FORMAT) return { format, catalog: parseProducts(text, file) };
  throw new StreamFormatError(file, `format is ${JSON.stringify(format)}, expected "${INDEX_FORMAT}" or "${PRODUCTS_FORMAT}"`);
}
