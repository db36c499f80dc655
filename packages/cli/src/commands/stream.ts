import type { Command } from 'commander';
import {
  compareBytes,
  locate,
  parseItemFilters,
  parseStreamDocument,
  readMirror,
  readStreamDocument,
  selectItems,
  type ProductItem,
} from '@bootsync/shared/streams';
import { UsageError } from '../exit-codes.js';
import { formatRowsJson, formatRowsTable, type ItemRow } from '../item-table.js';
import { MissingFormatKeyError, percentFormat, pprintDict, pythonDictRepr } from '../python-format/index.js';
import { registerStreamMirror } from './stream-mirror.js';
import { addSourceOptions, DEFAULT_KEYRING, keyringFor, maxDocumentSizeOption, sourcePolicy, type SourceOptions } from './stream-options.js';

interface QueryOptions extends SourceOptions {
  json?: boolean;
  pretty?: boolean;
  outputFormat?: string;
}

export function registerStreamCommands(program: Command): void {
  const stream = program.command('stream').description('read, verify and mirror simplestreams mirrors');

  addSourceOptions(
    stream
      .command('query')
      .description('list the items a mirror offers, like sstream-query')
      .argument('<location>', 'mirror URL or directory, or a .../streams/v1/X.json|.sjson')
      .argument('[filters...]', 'key=value, key!=value, key~regex, key!~regex (all must match)'),
  )
    .option('--json', 'print one JSON array, one object per item')
    .option('-o, --output-format <format>', "one line per item, Python %-style as sstream-query: '%(product_name)s %(item_url)s'")
    .option('--pretty', 'each item as Python pprint prints it, as sstream-query --pretty')
    .action(async (location: string, filterTexts: string[], options: QueryOptions) => {
      const outputs = [options.json, options.pretty, options.outputFormat !== undefined].filter(Boolean).length;
      if (outputs > 1) throw new UsageError('--json, --pretty and -o/--output-format exclude each other');
      const filters = parseItemFilters(filterTexts);
      const mirror = await readMirror(location, await sourcePolicy(options));
      const rows = selectItems(mirror.items, { filters, max: options.max })
        .sort(byProductVersionItem)
        .map((item): ItemRow => ({ ...item.fields, item_url: locate(mirror.root, item.path) }));
      if (options.outputFormat !== undefined) printFormatted(rows, options.outputFormat);
      else if (options.pretty) process.stdout.write(rows.map((row) => `${pprintDict(row)}\n`).join(''));
      else process.stdout.write(options.json ? formatRowsJson(rows) : formatRowsTable(rows));
    });

  stream
    .command('verify')
    .description('check the signature of a .sjson, or of a .json with its detached .json.gpg beside it')
    .argument('<file>', 'path or URL of the stream file')
    .option('--keyring <file>', `keyring to verify with (default ${DEFAULT_KEYRING})`)
    .addOption(maxDocumentSizeOption())
    .action(async (file: string, options: { keyring?: string; maxDocumentSize: number }) => {
      const keyring = await keyringFor(options.keyring);
      const doc = await readStreamDocument(file, { verify: true, keyring, maxBytes: options.maxDocumentSize });
      const kind = checkDocument(doc.payload, file);
      process.stdout.write(`${file}: good ${doc.signature} signature by ${doc.keyIds.join(', ')} (${kind})\n`);
    });

  registerStreamMirror(stream);
}

/** sstream-query's `-o`: a line per item; an item lacking a key is reported on stderr and skipped, as there. */
function printFormatted(rows: readonly ItemRow[], format: string): void {
  let out = '';
  for (const row of rows) {
    try {
      out += `${percentFormat(format, row)}\n`;
    } catch (err) {
      if (!(err instanceof MissingFormatKeyError)) throw new UsageError(`-o ${JSON.stringify(format)}: ${(err as Error).message}`);
      process.stderr.write(`output format failed. Missing ${err.key}\nitem: ${pythonDictRepr(row)}\n`);
    }
  }
  process.stdout.write(out);
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
