import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PrivateKey } from 'openpgp';
import { clearsign, detachSign } from '@bootsync/shared/signing';
import {
  buildIndexDocument,
  buildProductsDocument,
  indexEntryFor,
  serializeStreamDocument,
  type ProductsDocumentInput,
} from '@bootsync/shared/streams';

/**
 * Writes a stream's metadata the way maas-images publishes it: for the index and every products file, the plain
 * `X.json`, its detached `X.json.gpg`, and the clearsigned `X.sjson` (whose index points at `.sjson` files).
 */
export async function writeStreamMetadata(
  root: string,
  catalogs: readonly ProductsDocumentInput[],
  updated: Date,
  key: PrivateKey,
): Promise<void> {
  for (const catalog of catalogs) {
    await writeSignedForms(root, `streams/v1/${catalog.contentId}`, serializeStreamDocument(buildProductsDocument(catalog)), key);
  }
  const entries = (suffix: string) => catalogs.map((c) => indexEntryFor(c, `streams/v1/${c.contentId}.${suffix}`));
  const plainIndex = serializeStreamDocument(buildIndexDocument(entries('json'), updated));
  const signedIndex = serializeStreamDocument(buildIndexDocument(entries('sjson'), updated));
  await writeFileIn(root, 'streams/v1/index.json', plainIndex);
  await writeFileIn(root, 'streams/v1/index.json.gpg', await detachSign(plainIndex, key));
  await writeFileIn(root, 'streams/v1/index.sjson', await clearsign(signedIndex, key));
}

async function writeSignedForms(root: string, base: string, text: string, key: PrivateKey): Promise<void> {
  await writeFileIn(root, `${base}.json`, text);
  await writeFileIn(root, `${base}.json.gpg`, await detachSign(text, key));
  await writeFileIn(root, `${base}.sjson`, await clearsign(text, key));
}

export async function writeFileIn(root: string, relPath: string, content: string | Uint8Array): Promise<void> {
  const file = join(root, ...relPath.split('/'));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content);
}
