import type { RegionOptions } from './config/index.js';
import { openRegionRepositories, type DatabaseTarget, type Repositories } from './db/index.js';
import { ensureRegionIdentity, prepareDataDir, type DataDirLayout, type RegionIdentity } from './identity/index.js';

/** A region's state as the daemon and every subcommand open it: its identity, and its database's repositories. */
export interface RegionState {
  readonly identity: RegionIdentity;
  /** `repositories.db.close()` closes the database. */
  readonly repositories: Repositories;
}

/** Where the region's state lives by its settings: PostgreSQL at --database-url, else SQLite in --data-dir. */
function databaseTarget(options: Pick<RegionOptions, 'databaseUrl'>, paths: DataDirLayout): DatabaseTarget {
  return options.databaseUrl !== undefined ? { databaseUrl: options.databaseUrl } : { file: paths.database };
}

/**
 * Opens the region's data dir (created on first run), its database (created and migrated as needed) and its
 * identity (the database's secret and id, copied to the data dir's files for racks and operators).
 */
export async function openRegionState(options: Pick<RegionOptions, 'dataDir' | 'databaseUrl'>): Promise<RegionState> {
  const paths = await prepareDataDir(options.dataDir, { sqliteFile: options.databaseUrl === undefined });
  const repositories = await openRegionRepositories(databaseTarget(options, paths));
  try {
    return { identity: await ensureRegionIdentity(paths, repositories.regionIdentity), repositories };
  } catch (err) {
    await repositories.db.close();
    throw err;
  }
}
