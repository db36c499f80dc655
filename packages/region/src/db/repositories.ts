import { ApiKeyRepository } from './api-keys.js';
import { BootResourceRepository } from './boot-resources.js';
import { BootSourceRepository } from './boot-sources.js';
import { openRegionDatabase, type DatabaseTarget, type RegionDatabase } from './database.js';
import { ImportRunRepository } from './import-runs.js';
import { RackRepository } from './racks.js';
import { RegionConfigRepository } from './region-config.js';
import { RegionIdentityRepository } from './region-identity.js';
import { ResourceSetRepository } from './resource-sets.js';
import { SelectionRepository } from './selections.js';
import { SourceCacheRepository } from './source-cache.js';

/** Every repository over one connection: what the daemon hands to the import, the API and the rack service. */
export interface Repositories {
  readonly db: RegionDatabase;
  readonly bootSources: BootSourceRepository;
  readonly selections: SelectionRepository;
  readonly sourceCache: SourceCacheRepository;
  readonly bootResources: BootResourceRepository;
  readonly resourceSets: ResourceSetRepository;
  readonly importRuns: ImportRunRepository;
  readonly config: RegionConfigRepository;
  readonly apiKeys: ApiKeyRepository;
  /** Named apart from the API's `racks` (the rack service), as both are spread into the API's deps. */
  readonly rackRecords: RackRepository;
  /** The region's secret and id, shared by every region of the database. */
  readonly regionIdentity: RegionIdentityRepository;
}

export function createRepositories(db: RegionDatabase): Repositories {
  return {
    db,
    bootSources: new BootSourceRepository(db),
    selections: new SelectionRepository(db),
    sourceCache: new SourceCacheRepository(db),
    bootResources: new BootResourceRepository(db),
    resourceSets: new ResourceSetRepository(db),
    importRuns: new ImportRunRepository(db),
    config: new RegionConfigRepository(db),
    apiKeys: new ApiKeyRepository(db),
    rackRecords: new RackRepository(db),
    regionIdentity: new RegionIdentityRepository(db),
  };
}

/**
 * The region's database opened (created and migrated as needed) with every repository over it: the one place the
 * daemon and the `apikey` command open it. `db.close()` closes it.
 */
export async function openRegionRepositories(target: DatabaseTarget): Promise<Repositories> {
  return createRepositories(await openRegionDatabase(target));
}
