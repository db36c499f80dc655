import { BootsyncError } from '@bootsync/shared/errors';
import { summarizeOffer, type Offer } from '@bootsync/shared/select';
import type { BootSource } from '../../db/index.js';
import { cacheEntries } from '../../import/cache-entries.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../errors.js';

/** 503: the source a selection must be checked against cannot be read now, and nothing of it is cached. */
class SourceUnreadableError extends ApiError {
  readonly status = 503;
  readonly url: string;

  constructor(url: string, reason: string) {
    super(
      'API_SOURCE_UNREADABLE',
      `Boot source ${url} could not be read to check the selection against what it offers: ${reason}. ` +
        'Nothing was saved; try again once the source can be reached (or fix its URL or keyring).',
    );
    this.url = url;
  }
}

/**
 * What a source offers, for checking a selection (MAAS checks its BootSourceCache): the region's cache while it is
 * fresher than one import interval, else the source read now (and cached). A source that cannot be read falls back
 * to an older cache; with none, the selection cannot be checked and is refused with a 503 rather than accepted blind.
 */
export async function offerForSelection(deps: ApiDeps, source: BootSource, signal: AbortSignal): Promise<Offer> {
  const cached = await deps.sourceCache.list(source.id);
  const maxAgeMs = (await deps.config.get()).boot_images_import_interval_minutes * 60_000;
  const readAt = cached[0] ? Date.parse(cached[0].readAt) : NaN;
  if (Date.now() - readAt < maxAgeMs) return summarizeOffer(cached.flatMap((c) => c.items));
  try {
    const items = await deps.prober.probe(
      {
        url: source.url,
        skipKeyringVerification: source.skipKeyringVerification,
        ...(source.keyringData && source.keyringData.length > 0 ? { keyringData: source.keyringData } : {}),
        ...(source.keyringFilename ? { keyringFilename: source.keyringFilename } : {}),
      },
      signal,
    );
    // Cached only if the source is still the one read (an update meanwhile clears its cache).
    const now = await deps.bootSources.get(source.id);
    if (items.length > 0 && now.updated === source.updated) await deps.sourceCache.replace(source.id, cacheEntries(items));
    return summarizeOffer(items);
  } catch (err) {
    if (cached.length > 0) return summarizeOffer(cached.flatMap((c) => c.items));
    if (err instanceof BootsyncError) throw new SourceUnreadableError(source.url, err.message);
    throw err;
  }
}
