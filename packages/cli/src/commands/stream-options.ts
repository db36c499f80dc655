import { access } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { byteSizeOption } from '@bootsync/shared/config';
import { chooseKeyringFile, loadKeyring, UBUNTU_IMAGES_KEYRING, type Keyring } from '@bootsync/shared/signing';
import { DEFAULT_MAX_DOCUMENT_SIZE } from '@bootsync/shared/source';
import type { SignaturePolicy } from '@bootsync/shared/streams';
import { UsageError } from '../exit-codes.js';

// The options the `bootsync stream` commands share: keyring, --no-verify, --max, --max-document-size.

/** The keyring used without --keyring; `BOOTSYNC_IMAGES_KEYRING` overrides it (tests point it at a missing file). */
export const DEFAULT_KEYRING = UBUNTU_IMAGES_KEYRING;

/**
 * The keyring of a `bootsync stream` command: --keyring, else the Ubuntu one. The Ubuntu package's path on a host
 * without that package (Debian) means bootsync's copy of the same key, as it does for the region's sources; any
 * other missing default is a usage error saying what to do.
 */
export async function keyringFor(file: string | undefined): Promise<Keyring> {
  const chosen = await chooseKeyringFile(file ?? (process.env.BOOTSYNC_IMAGES_KEYRING || DEFAULT_KEYRING));
  if (chosen.bundled) process.stderr.write(`bootsync: ${UBUNTU_IMAGES_KEYRING} is absent; verifying with bootsync's copy of that key\n`);
  if (file === undefined && !chosen.bundled) {
    try {
      await access(chosen.file);
    } catch {
      throw new UsageError(`no keyring at ${chosen.file}: install ubuntu-cloudimage-keyring, or pass --keyring FILE or --no-verify`);
    }
  }
  return loadKeyring({ file: chosen.file });
}

/** How `stream query` and `stream mirror` read a source, as their options give it. */
export interface SourceOptions {
  keyring?: string;
  verify: boolean;
  max?: number;
  maxDocumentSize: number;
}

/** Adds the options of SourceOptions: --keyring, --no-verify, --max N, --max-document-size. */
export function addSourceOptions(command: Command): Command {
  return command
    .option('--keyring <file>', `keyring to verify with (default ${DEFAULT_KEYRING})`)
    .option('--no-verify', 'do not check signatures (a source published unsigned)')
    .option('--max <n>', 'only the newest N versions of each product', parseMax)
    .addOption(maxDocumentSizeOption());
}

/** The signature policy those options ask for; `--keyring` with `--no-verify` is refused rather than guessed at. */
export async function sourcePolicy(options: SourceOptions): Promise<SignaturePolicy> {
  if (options.keyring !== undefined && !options.verify) throw new UsageError('--keyring and --no-verify exclude each other');
  const keyring = options.verify ? await keyringFor(options.keyring) : undefined;
  return { verify: options.verify, keyring, maxBytes: options.maxDocumentSize };
}

/** `--max N`: a positive whole number of versions per product. */
function parseMax(text: string): number {
  const max = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(max) || max < 1) {
    throw new UsageError(`--max takes a whole number of versions >= 1, not ${JSON.stringify(text)}`);
  }
  return max;
}

/** The region's --max-document-size, same grammar and default: what the CLI reads, the region would read too. */
const maxDocumentSize = byteSizeOption({
  description: 'largest index or products document read; a larger one is refused unread',
  default: DEFAULT_MAX_DOCUMENT_SIZE,
  min: 1024,
});

/** `--max-document-size <size>`, parsed to bytes (`options.maxDocumentSize`), for every stream command. */
export function maxDocumentSizeOption(): Option {
  const help = `${maxDocumentSize.description} (default ${maxDocumentSize.format?.(maxDocumentSize.default)})`;
  return new Option('--max-document-size <size>', help).argParser(parseMaxDocumentSize).default(maxDocumentSize.default);
}

function parseMaxDocumentSize(text: string): number {
  try {
    return maxDocumentSize.parse(text);
  } catch (err) {
    throw new UsageError(`--max-document-size: ${err instanceof Error ? err.message : String(err)}`);
  }
}
