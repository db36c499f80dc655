import { Kysely, SqliteDialect } from 'kysely';
import { openMigratedSqlite } from './connection.js';
import type { RegionSchema } from './schema.js';

export type RegionDialect = 'sqlite' | 'postgres';

/**
 * The region's database, whichever holds it: every repository queries through `kysely`, one code path for both
 * dialects. `dialect` is there for the little that differs (how a transaction takes the write lock up front).
 */
export interface RegionDatabase {
  readonly kysely: Kysely<RegionSchema>;
  readonly dialect: RegionDialect;
  /** Closes the connection (SQLite) or the pool (PostgreSQL); queries after it fail. */
  close(): Promise<void>;
}

/**
 * Where the region's state lives. `file`: SQLite in the data dir, the embedded default.
 * The PostgreSQL branch (`{ databaseUrl }`, from `--database-url`) is added beside it.
 */
export type DatabaseTarget = { readonly file: string };

/**
 * Opens the region's database, created and migrated as needed: the one way the daemon, its subcommands and the tests
 * open it. SQLite keeps the settings of `openDatabase` (WAL, quick_check, foreign keys, busy timeout); Kysely's
 * SqliteDialect runs every query, one at a time, on that one connection.
 */
export async function openRegionDatabase(target: DatabaseTarget): Promise<RegionDatabase> {
  const sqlite = openMigratedSqlite(target.file);
  const kysely = new Kysely<RegionSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    kysely,
    dialect: 'sqlite',
    async close() {
      await kysely.destroy();
      // Kysely closes the handle only if a query opened its driver.
      if (sqlite.open) sqlite.close();
    },
  };
}
