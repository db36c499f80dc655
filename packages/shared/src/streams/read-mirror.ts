import { locate, MirrorReadError, parseMirrorLocation, type MirrorRoot } from '../source/index.js';
import { compareItemRefs } from './byte-order.js';
import { parseIndex } from './index-v1.js';
import { PRODUCTS_FORMAT, parseProducts } from './products-v1.js';
import { readStreamDocument, type SignaturePolicy, type StreamDocument } from './signed-document.js';
import type { ProductItem, ProductsCatalog, StreamIndex } from './types.js';

export type ReadMirrorOptions = SignaturePolicy;

/** A document of the mirror as read: its path relative to the root, and its bytes and signature. */
export interface SourceDocument {
  readonly path: string;
  /** Its URL or file path. */
  readonly location: string;
  readonly document: StreamDocument;
}

/** What a mirror offers: its index, each products file it points at, and every item of them. */
export interface Mirror {
  readonly root: MirrorRoot;
  /** The URL or path of the index that was read. */
  readonly indexLocation: string;
  readonly index: StreamIndex;
  readonly catalogs: readonly ProductsCatalog[];
  /** All items of all catalogs, sorted by content id, product, version (newest last), item. */
  readonly items: readonly ProductItem[];
  /** The index first, then the products files in the order of `catalogs` (`documents[i + 1]` is `catalogs[i]`'s). */
  readonly documents: readonly SourceDocument[];
}

const SIGNED_INDEX = 'streams/v1/index.sjson';
const UNSIGNED_INDEX = 'streams/v1/index.json';

/**
 * Reads and checks a whole mirror's metadata. `location` is a mirror root (URL or directory: its
 * `streams/v1/index.sjson` is read, or `index.json` when `verify` is false and there is no `.sjson`) or an explicit
 * `.../streams/v1/X.json|.sjson`. Every `products:1.0` entry of the index is read under the same policy and must
 * carry the content id the index gives it; other entry formats are skipped.
 */
export async function readMirror(location: string, options: ReadMirrorOptions): Promise<Mirror> {
  const { root, indexPath } = parseMirrorLocation(location);
  const indexDocument = await readIndexDocument(root, indexPath, options);
  const index = parseIndex(indexDocument.document.payload, indexDocument.location);
  const entries = index.entries.filter((entry) => entry.format === PRODUCTS_FORMAT);
  // Read together: on a no-op run the round trips are most of the time.
  const products = await Promise.all(
    entries.map(async (entry): Promise<SourceDocument> => {
      const productsLocation = locate(root, entry.path);
      return { path: entry.path, location: productsLocation, document: await readStreamDocument(productsLocation, options) };
    }),
  );
  const catalogs = products.map((doc, i) => parseProducts(doc.document.payload, doc.location, entries[i]!.contentId));
  const items = catalogs.flatMap((c) => c.items).sort((a, b) => compareItemRefs(a.ref, b.ref));
  return { root, indexLocation: indexDocument.location, index, catalogs, items, documents: [indexDocument, ...products] };
}

async function readIndexDocument(
  root: MirrorRoot,
  indexPath: string | undefined,
  options: ReadMirrorOptions,
): Promise<SourceDocument> {
  const read = async (path: string): Promise<SourceDocument> => {
    const location = locate(root, path);
    return { path, location, document: await readStreamDocument(location, options) };
  };
  try {
    return await read(indexPath ?? SIGNED_INDEX);
  } catch (err) {
    const fallBack = indexPath === undefined && !options.verify && err instanceof MirrorReadError && err.notFound;
    if (!fallBack) throw err;
  }
  return read(UNSIGNED_INDEX);
}
