import { BootsyncError } from '@bootsync/shared/errors';
import type { ProductItem } from '@bootsync/shared/streams';
import { skipsVerificationByDefault, type BootSourceUpdate } from '../../db/index.js';
import type { SourceProber } from '../deps.js';
import { BadRequestError, FormError } from '../errors.js';

/**
 * op=fetch: the same keyring rules as a saved source, then a real read. Any failure to read or verify is the
 * operator's to fix (URL, keyring, network), so it is a 400 that names it, never a 500.
 */
export async function probeSource(
  prober: SourceProber,
  fields: BootSourceUpdate & { url: string },
  signal: AbortSignal,
): Promise<readonly ProductItem[]> {
  const skip = fields.skipKeyringVerification ?? skipsVerificationByDefault(fields.url);
  const keyringData = fields.keyringData ?? undefined;
  const keyringFilename = fields.keyringFilename || undefined;
  if (!skip && keyringData === undefined && keyringFilename === undefined) {
    throw new FormError({ __all__: ['One of keyring_data or keyring_filename must be specified.'] });
  }
  let items: readonly ProductItem[];
  try {
    items = await prober.probe(
      { url: fields.url, skipKeyringVerification: skip, ...(keyringData && { keyringData }), ...(keyringFilename && { keyringFilename }) },
      signal,
    );
  } catch (err) {
    if (err instanceof BootsyncError) throw new BadRequestError(`Failed to read boot source ${fields.url}: ${err.message}`);
    throw err;
  }
  if (items.length === 0) throw new BadRequestError(`Boot source ${fields.url} offers no images.`);
  return items;
}
