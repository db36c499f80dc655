import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BootsyncError } from '@bootsync/shared/errors';
import type { Logger } from '@bootsync/shared/logging';
import { copyRegion, createRepositories, openRegionDatabase, redactDatabaseUrl, type RegionDatabase } from './db/index.js';
import type { DatabaseErrorCode } from './errors/index.js';
import { dataDirLayout, ensureRegionIdentity } from './identity/index.js';

/** `migrate-db --from-sqlite FILE` names no SQLite file: nothing to copy (opening it would create an empty one). */
export class SourceDatabaseMissingError extends BootsyncError<DatabaseErrorCode> {
  constructor(readonly file: string) {
    super('DB_SOURCE_MISSING', `${file}: no such file; --from-sqlite takes the region.db of a region's --data-dir`);
  }
}

/**
 * `bootsync-region migrate-db`: copies the region of a SQLite file into an empty PostgreSQL database. The SQLite
 * file is migrated to this version first, as a region starting on it would, and its region's secret and id (the
 * files beside it, in its data dir) recorded in it, so the copy keeps them and the racks keep working.
 * Returns the rows copied per table.
 */
export async function migrateSqliteToPostgres(fromSqlite: string, databaseUrl: string, logger: Logger): Promise<Record<string, number>> {
  await access(fromSqlite).catch(() => {
    throw new SourceDatabaseMissingError(fromSqlite);
  });
  const started = Date.now();
  const opened: RegionDatabase[] = [];
  try {
    const from = await openRegionDatabase({ file: fromSqlite });
    opened.push(from);
    await ensureRegionIdentity(dataDirLayout(dirname(fromSqlite)), createRepositories(from).regionIdentity);
    const to = await openRegionDatabase({ databaseUrl });
    opened.push(to);
    const target = redactDatabaseUrl(databaseUrl);
    const copied = await copyRegion(from, to, target);
    logger.info({ event: 'region.database_migrated', from: fromSqlite, to: target, rows: copied, ms: Date.now() - started }, 'copied the SQLite region into PostgreSQL');
    return copied;
  } finally {
    for (const db of opened.reverse()) await db.close();
  }
}
