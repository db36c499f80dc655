export * from './item-ref.js';
export type * from './types.js';
export { readMirror, type Mirror, type ReadMirrorOptions, type SourceDocument } from './read-mirror.js';
export { readStreamDocument, type SignaturePolicy, type StreamDocument } from './signed-document.js';
export { INDEX_FORMAT, parseIndex } from './index-v1.js';
export { parseStreamDocument, type ParsedStreamDocument } from './any-document.js';
export { PRODUCTS_FORMAT, parseProducts } from './products-v1.js';
export { flattenProducts } from './flatten.js';
export { expandAliases } from './aliases.js';
export { compareBytes, compareItemRefs, sortVersionNames } from './byte-order.js';
export {
  matchesAll,
  matchesFilter,
  parseItemFilter,
  parseItemFilters,
  type ItemFilter,
  type ItemFilterOp,
} from './item-filter.js';
export { selectItems, type ItemSelection } from './item-selection.js';
export {
  buildIndexDocument,
  buildProductsDocument,
  formatStreamDate,
  indexEntryFor,
  serializeStreamDocument,
  type IndexEntryInput,
  type ProductsDocumentInput,
  type StreamItemInput,
  type StreamProductInput,
  type StreamVersionInput,
} from './stream-writer.js';
export { ContentIdMismatchError, ItemFilterError, MirrorReadError, StreamFormatError, UnsafePathError } from './errors.js';
export { locate, parseMirrorLocation, type MirrorLocation, type MirrorRoot } from '../source/index.js';
export type { JsonObject } from './json-document.js';
