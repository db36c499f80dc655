import type { Logger } from '@bootsync/shared/logging';
import { summarizeOffer } from '@bootsync/shared/select';
import type { ProductItem } from '@bootsync/shared/streams';
import {
  BootSourceRepository,
  exclusively,
  RegionConfigRepository,
  SelectionRepository,
  SourceCacheRepository,
  type BootSource,
  type Repositories,
} from './db/index.js';
import { defaultArches, hostArchitecture, newestOfferedLts } from './default-release.js';
import { cacheEntries } from './import/cache-entries.js';

export interface DefaultSourceOptions {
  readonly url: string;
  readonly keyringFilename: string;
  /** Reads and verifies the source (the region's prober); a failure leaves the configured release. */
  readonly read: (source: { url: string; keyringFilename: string }, signal: AbortSignal) => Promise<readonly ProductItem[]>;
  readonly log: Logger;
  /** Debian name of the host's architecture. @defaultValue from process.arch */
  readonly hostArch?: string;
  /** How long the first start waits for the source. @defaultValue 15 s */
  readonly readTimeoutMs?: number;
}

/**
 * On a region with no boot source at all, creates the default one with its selection (MAAS's
 * ensure_boot_source_definition): Ubuntu for the host's architecture and amd64, every subarch and label, of the
 * newest LTS the source offers, read from it now (its offer is cached, so selections can be checked at once), and
 * records that release as the commissioning and default release unless they were set. When the source cannot be
 * read, the selection is `commissioning_distro_series` (MAAS's default, noble). Returns the source it created, or
 * undefined when sources already exist: an operator's sources are never touched.
 */
export async function ensureDefaultBootSource(
  repos: Pick<Repositories, 'db' | 'bootSources' | 'config'>,
  options: DefaultSourceOptions,
): Promise<BootSource | undefined> {
  if ((await repos.bootSources.count()) > 0) return undefined;
  const arches = defaultArches(options.hostArch ?? hostArchitecture());
  const configured = (await repos.config.get()).commissioning_distro_series;
  const operatorSet = await repos.config.isSet('commissioning_distro_series');
  let items: readonly ProductItem[] | undefined;
  try {
    items = await options.read({ url: options.url, keyringFilename: options.keyringFilename }, AbortSignal.timeout(options.readTimeoutMs ?? 15_000));
  } catch (err) {
    options.log.warn({ event: 'region.default_source_unread', source: options.url, release: configured, err }, 'could not read the default source');
  }
  const lts = items && newestOfferedLts(summarizeOffer(items), arches, operatorSet ? configured : undefined);
  const release = lts ?? configured;
  // Under the lock of source creation: two regions starting at once on one empty database make one default source.
  return exclusively(repos.db, 'boot_sources', async (trx) => {
    const sources = new BootSourceRepository(trx);
    const config = new RegionConfigRepository(trx);
    if ((await sources.count()) > 0) return undefined;
    const source = await sources.create({ url: options.url, keyringFilename: options.keyringFilename });
    await new SelectionRepository(trx).create(source.id, { os: 'ubuntu', release, arches, subarches: ['*'], labels: ['*'] });
    if (items && items.length > 0) await new SourceCacheRepository(trx).replace(source.id, cacheEntries(items));
    if (lts !== undefined) {
      for (const key of ['commissioning_distro_series', 'default_distro_series'] as const) {
        if (!(await config.isSet(key))) await config.set(key, lts);
      }
    }
    options.log.info({ event: 'region.default_selection', source: source.url, release, arches, fromSource: lts !== undefined });
    return source;
  });
}
