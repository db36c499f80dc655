import { locate, MirrorReadError, parseMirrorLocation, type MirrorRoot } from '../source/index.js';
import { compareItemRefs } from './byte-order.js';
import { parseIndex } from './index-v1.js';
import { PRODUCTS_FORMAT, parseProducts } from './products-v1.js';
import { readStreamDocument, type SignaturePolicy } from './signed-document.js';
import type { ProductItem, ProductsCatalog, StreamIndex } from './types.js';

export type ReadMirrorOptions = SignaturePolicy;

/** What a mirror offers: its index, each products file it points at, and every item of them. */
export interface Mirror {
  readonly root: MirrorRoot;
  /** The URL or path of the index that was read. */
  readonly indexLocation: string;
  readonly index: StreamIndex;
  readonly catalogs: readonly ProductsCatalog[];
  /** All items of all catalogs, sorted by content id, product, version (newest last), item. */
  readonly items: readonly ProductItem[];
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
  const { indexLocation, payload } = await readIndexDocument(root, indexPath, options);
  const index = parseIndex(payload, indexLocation);
  const catalogs: ProductsCatalog[] = [];
  for (const entry of index.entries) {
    if (entry.format !== PRODUCTS_FORMAT) continue;
    const productsLocation = locate(root, entry.path);
    const doc = await readStreamDocument(productsLocation, options);
    catalogs.push(parseProducts(doc.payload, productsLocation, entry.contentId));
  }
  const items = catalogs.flatMap((c) => c.items).sort((a, b) => compareItemRefs(a.ref, b.ref));
  return { root, indexLocation, index, catalogs, items };
}

async function readIndexDocument(
  root: MirrorRoot,
  indexPath: string | undefined,
  options: ReadMirrorOptions,
): Promise<{ indexLocation: string; payload: string }> {
  const first = locate(root, indexPath ?? SIGNED_INDEX);
  try {
    return { indexLocation: first, payload: (await readStreamDocument(first, options)).payload };
  } catch (err) {
    const fallBack = indexPath === undefined && !options.verify && err instanceof MirrorReadError && err.notFound;
    if (!fallBack) throw err;
  }
  const second = locate(root, UNSIGNED_INDEX);
  return { indexLocation: second, payload: (await readStreamDocument(second, options)).payload };
}
