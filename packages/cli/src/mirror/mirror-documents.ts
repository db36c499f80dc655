import { SignatureMissingError } from '@bootsync/shared/signing';
import { locate, MirrorReadError, readLocation } from '@bootsync/shared/source';
import {
  formatItemRef,
  parseIndex,
  parseProducts,
  readStreamDocument,
  type Mirror,
  type ProductsCatalog,
  type SignaturePolicy,
  type SourceDocument,
  type StreamDocument,
} from '@bootsync/shared/streams';

/** A document file as the mirror writes it: the bytes fetched (and verified), unchanged. */
export interface DocumentFile {
  readonly path: string;
  readonly content: Buffer;
}

export interface MirrorDocuments {
  /** In writing order: each products document in all its forms, then the index in all its forms. */
  readonly files: readonly DocumentFile[];
  /** Forms the source has that are not mirrored, and why. */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
}

interface Forms {
  readonly files: DocumentFile[];
  readonly skipped: { path: string; reason: string }[];
}

/**
 * Every document the mirror copies: the index and products files read (and verified) with the mirror, plus their
 * other forms where the source has them (`X.json` with its detached `X.json.gpg` beside `X.sjson`, or the other way
 * round), each verified under the same policy and checked to say the same as the form read. A form that does not
 * verify fails the run; one that is absent, unsigned, or says something else is left out (and named in `skipped`).
 */
export async function collectDocuments(mirror: Mirror, policy: SignaturePolicy): Promise<MirrorDocuments> {
  const [index, ...products] = mirror.documents;
  if (!index) throw new TypeError('a mirror always has its index document');
  const productForms = await Promise.all(
    products.map(async (doc, i) => {
      const catalog = mirror.catalogs[i]!;
      const forms = await documentForms(mirror, doc, policy, (other, location) => sameCatalog(catalog, parseProducts(other.payload, location, catalog.contentId)));
      return { doc, forms };
    }),
  );
  const written = new Set(productForms.flatMap(({ forms }) => forms.files.map((f) => f.path)));
  const entryPaths = new Map(mirror.index.entries.map((e) => [e.contentId, e.path]));
  const indexForms = await documentForms(mirror, index, policy, (other, location) => {
    const entries = parseIndex(other.payload, location).entries.filter((e) => entryPaths.has(e.contentId));
    return entries.length === entryPaths.size && entries.every((e) => otherForm(entryPaths.get(e.contentId)!) === e.path && written.has(e.path));
  });
  const all = [...productForms.map(({ forms }) => forms), indexForms];
  return { files: all.flatMap((f) => f.files), skipped: all.flatMap((f) => f.skipped) };
}

/** The document as read, then its other form when the source has one that verifies and agrees. */
async function documentForms(
  mirror: Mirror,
  doc: SourceDocument,
  policy: SignaturePolicy,
  agrees: (other: StreamDocument, location: string) => boolean,
): Promise<Forms> {
  const forms: Forms = { files: [], skipped: [] };
  forms.files.push(...(await withSignature(mirror, doc.path, doc.document, policy)));
  const otherPath = otherForm(doc.path);
  const location = locate(mirror.root, otherPath);
  let other: StreamDocument;
  try {
    other = await readStreamDocument(location, policy);
  } catch (err) {
    if (err instanceof MirrorReadError && err.notFound) return forms;
    if (err instanceof SignatureMissingError) {
      forms.skipped.push({ path: otherPath, reason: err.message });
      return forms;
    }
    throw err;
  }
  let same: boolean;
  try {
    same = agrees(other, location);
  } catch (err) {
    forms.skipped.push({ path: otherPath, reason: (err as Error).message });
    return forms;
  }
  if (!same) forms.skipped.push({ path: otherPath, reason: `says something other than ${doc.path}` });
  else forms.files.push(...(await withSignature(mirror, otherPath, other, policy)));
  return forms;
}

/** A `.json` goes with its detached signature: the one that verified it, or (unverified) the source's if any. */
async function withSignature(mirror: Mirror, path: string, doc: StreamDocument, policy: SignaturePolicy): Promise<DocumentFile[]> {
  const files = [{ path, content: doc.content }];
  if (!path.endsWith('.json')) return files;
  if (doc.detachedSignature) return [...files, { path: `${path}.gpg`, content: doc.detachedSignature }];
  try {
    return [...files, { path: `${path}.gpg`, content: await readLocation(locate(mirror.root, `${path}.gpg`), policy) }];
  } catch (err) {
    if (err instanceof MirrorReadError && err.notFound) return files;
    throw err;
  }
}

/** `X.sjson` for `X.json` and the other way round. */
function otherForm(path: string): string {
  return path.endsWith('.sjson') ? `${path.slice(0, -'.sjson'.length)}.json` : `${path.replace(/\.json$/, '')}.sjson`;
}

function sameCatalog(a: ProductsCatalog, b: ProductsCatalog): boolean {
  const describe = (c: ProductsCatalog): string =>
    c.items.map((i) => `${formatItemRef(i.ref)} ${i.path} ${i.size} ${JSON.stringify(i.checksums)}`).join('\n');
  return describe(a) === describe(b);
}
