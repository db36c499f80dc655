import { access } from 'node:fs/promises';
import { byteSizeOption } from '@bootsync/shared/config';
import { loadKeyring, UBUNTU_IMAGES_KEYRING, type Keyring } from '@bootsync/shared/signing';
import { DEFAULT_MAX_DOCUMENT_SIZE } from '@bootsync/shared/source';
import { UsageError } from '../exit-codes.js';

// The options the `bootsync stream` commands share: keyring, --no-verify, --max, --max-document-size.

/** The keyring used without --keyring; `BOOTSYNC_IMAGES_KEYRING` overrides it (tests point it at a missing file). */
export const DEFAULT_KEYRING = UBUNTU_IMAGES_KEYRING;

/** The keyring of a `bootsync stream` command: --keyring, else the Ubuntu one, whose absence is a usage error. */
export async function keyringFor(file: string | undefined): Promise<Keyring> {
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

/** `--keyring` with `--no-verify` is a contradiction, refused rather than guessed at. */
export function checkVerifyOptions(options: { keyring?: string; verify: boolean }): void {
  if (options.keyring !== undefined && !options.verify) throw new UsageError('--keyring and --no-verify exclude each other');
}

/** `--max N`: a positive whole number of versions per product. */
export function parseMax(text: string): number {
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
export const MAX_DOCUMENT_SIZE_FLAG = '--max-document-size <size>';
export const MAX_DOCUMENT_SIZE_HELP = `${maxDocumentSize.description} (default ${maxDocumentSize.format?.(maxDocumentSize.default)})`;
export const MAX_DOCUMENT_SIZE_DEFAULT = maxDocumentSize.default;

export function parseMaxDocumentSize(text: string): number {
  try {
    return maxDocumentSize.parse(text);
  } catch (err) {
    throw new UsageError(`--max-document-size: ${err instanceof Error ? err.message : String(err)}`);
  }
}
