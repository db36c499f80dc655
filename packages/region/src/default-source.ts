import type { BootSource, Repositories } from './db/index.js';

export interface DefaultSourceOptions {
  readonly url: string;
  readonly keyringFilename: string;
}

/** The selection MAAS makes for its default source: the current LTS for amd64, every subarch and label. */
export const DEFAULT_SELECTION = { os: 'ubuntu', release: 'noble', arches: ['amd64'], subarches: ['*'], labels: ['*'] } as const;

/**
 * On a region with no boot source at all, creates the default one with its selection (MAAS's
 * ensure_boot_source_definition). Returns the source it created, or undefined when sources already exist:
 * an operator's sources are never touched.
 */
export function ensureDefaultBootSource(
  repos: Pick<Repositories, 'db' | 'bootSources' | 'selections'>,
  options: DefaultSourceOptions,
): BootSource | undefined {
  return repos.db
    .transaction(() => {
      if (repos.bootSources.count() > 0) return undefined;
      const source = repos.bootSources.create({ url: options.url, keyringFilename: options.keyringFilename });
      repos.selections.create(source.id, DEFAULT_SELECTION);
      return source;
    })
    .immediate();
}
