import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { byteSizeOption } from '@bootsync/shared/config';
import { loadKeyring, UBUNTU_IMAGES_KEYRING, type Keyring } from '@bootsync/shared/signing';
import {
  compareBytes,
  locate,
  matchesAll,
  parseItemFilters,
  parseStreamDocument,
  readMirror,
  readStreamDocument,
  type ProductItem,
} from '@bootsync/shared/streams';
import { DEFAULT_MAX_DOCUMENT_SIZE } from '@bootsync/shared/source';
import { UsageError } from '../exit-codes.js';
import { formatRowsJson, formatRowsTable, type ItemRow } from '../item-table.js';

/** The keyring used without --keyring; `BOOTSYNC_IMAGES_KEYRING` overrides it (tests point it at a missing file). */
const DEFAULT_KEYRING = UBUNTU_IMAGES_KEYRING;

/** The region's --max-document-size, same grammar and default: what the CLI reads, the region would read too. */
const maxDocumentSize = byteSizeOption({
  description: 'largest index or products document read; a larger one is refused unread',
  default: DEFAULT_MAX_DOCUMENT_SIZE,
  min: 1024,
});
const MAX_DOCUMENT_SIZE_FLAG = '--max-document-size <size>';
const MAX_DOCUMENT_SIZE_HELP = `${maxDocumentSize.description} (default ${maxDocumentSize.format?.(maxDocumentSize.default)})`;

function parseMaxDocumentSize(text: string): number {
  try {
    return maxDocumentSize.parse(text);
  } catch (err) {
    throw new UsageError(`--max-document-size: ${err instanceof Error ? err.message : String(err)}`);
  }
}

interface QueryOptions {
  keyring?: string;
  verify: boolean;
  json?: boolean;
  maxDocumentSize: number;
}

export function registerStreamCommands(program: Command): void {
  const stream = program.command('stream').description('read and verify simplestreams mirrors');

  stream
    .command('query')
    .description('list the items a mirror offers, like sstream-query')
    .argument('<location>', 'mirror URL or directory, or a .../streams/v1/X.json|.sjson')
    .argument('[filters...]', 'key=value, key!=value, key~regex, key!~regex (all must match)')
    .option('--keyring <file>', `keyring to verify with (default ${DEFAULT_KEYRING})`)
    .option('--no-verify', 'read without checking signatures')
    .option('--json', 'print one JSON array, one object per item')
    .option(MAX_DOCUMENT_SIZE_FLAG, MAX_DOCUMENT_SIZE_HELP, parseMaxDocumentSize, maxDocumentSize.default)
    .action(async (location: string, filterTexts: string[], options: QueryOptions) => {
      if (options.keyring !== undefined && !options.verify) throw new UsageError('--keyring and --no-verify exclude each other');
      const filters = parseItemFilters(filterTexts);
      const keyring = options.verify ? await keyringFor(options.keyring) : undefined;
      const mirror = await readMirror(location, { verify: options.verify, keyring, maxBytes: options.maxDocumentSize });
      const rows = mirror.items
        .filter((item) => matchesAll(filters, item.fields))
        .sort(byProductVersionItem)
        .map((item): ItemRow => ({ ...item.fields, item_url: locate(mirror.root, item.path) }));
      process.stdout.write(options.json ? formatRowsJson(rows) : formatRowsTable(rows));
    });

  stream
    .command('verify')
    .description('check the signature of a .sjson, or of a .json with its detached .json.gpg beside it')
    .argument('<file>', 'path or URL of the stream file')
    .option('--keyring <file>', `keyring to verify with (default ${DEFAULT_KEYRING})`)
    .option(MAX_DOCUMENT_SIZE_FLAG, MAX_DOCUMENT_SIZE_HELP, parseMaxDocumentSize, maxDocumentSize.default)
    .action(async (file: string, options: { keyring?: string; maxDocumentSize: number }) => {
      const keyring = await keyringFor(options.keyring);
      const doc = await readStreamDocument(file, { verify: true, keyring, maxBytes: options.maxDocumentSize });
      const kind = checkDocument(doc.payload, file);
      process.stdout.write(`${file}: good ${doc.signature} signature by ${doc.keyIds.join(', ')} (${kind})\n`);
    });
}

async function keyringFor(file: string | undefined): Promise<Keyring> {
  const path = file ?? process.env.BOOTSYNC_IMAGES_KEYRING ?? DEFAULT_KEYRING;
  if (file === undefined) {
    try {
      await access(path);
    } catch {
      throw new UsageError(`no keyring at ${path}: install ubuntu-cloudimage-keyring, or pass --keyring FILE or --no-verify`);
    }
  }
  return loadKeyring({ file: path });
}

/** Signed but meaningless is still refused: the payload must be an index or products document. */
function checkDocument(payload: string, file: string): string {
  const doc = parseStreamDocument(payload, file);
  return doc.format === 'index:1.0'
    ? `index:1.0, ${doc.index.entries.length} entries`
    : `products:1.0, ${doc.catalog.items.length} items`;
}

function byProductVersionItem(a: ProductItem, b: ProductItem): number {
  return (
    compareBytes(a.ref.product, b.ref.product) ||
    compareBytes(a.ref.version, b.ref.version) ||
    compareBytes(a.ref.item, b.ref.item) ||
    compareBytes(a.ref.contentId, b.ref.contentId)
  );
}
