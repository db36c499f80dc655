import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { openDatabase } from './connection.js';
import { migrateRegionDatabase } from './migrate.js';
import type { Dialect } from './migrations/index.js';
import { openPostgresPool, redactDatabaseUrl } from './postgres.js';
import type { RegionSchema } from './schema.js';

/** The two databases a region runs on. */
export type RegionDialect = Dialect;

/**
 * What a repository queries through: the database, or one transaction of it. Inside a transaction every query must
 * go through it (on SQLite a query on the database would wait for the transaction's own connection): repositories
 * built over it do, and a method of theirs that opens a transaction joins this one instead (transactions.ts).
 */
export interface Queryable {
  readonly kysely: Kysely<RegionSchema>;
  readonly dialect: RegionDialect;
  /** Set inside a transaction. */
  readonly inTransaction?: boolean;
}

/**
 * The region's database, whichever holds it: every repository queries through `kysely`, one code path for both
 * dialects. `dialect` is there for the little that differs (how a transaction takes the write lock up front).
 */
export interface RegionDatabase extends Queryable {
  /** Closes the connection (SQLite) or the pool (PostgreSQL); queries after it fail. */
  close(): Promise<void>;
}

/**
 * Where the region's state lives. `file`: SQLite in the data dir, the embedded default; `databaseUrl`: the
 * PostgreSQL database of `--database-url` (`postgres://...`).
 */
export type DatabaseTarget = { readonly file: string } | { readonly databaseUrl: string };

/** Runs the migrations on a database just opened; closes it if they fail. */
async function migrated(database: RegionDatabase, location: string): Promise<RegionDatabase> {
  try {
    await migrateRegionDatabase({ kysely: database.kysely, dialect: database.dialect, location });
    return database;
  } catch (err) {
    await database.close();
    throw err;
  }
}

/**
 * Opens the region's database, created and migrated as needed: the one way the daemon, its subcommands and the tests
 * open it. SQLite keeps the settings of `openDatabase` (WAL, quick_check, foreign keys, busy timeout); Kysely's
 * SqliteDialect runs every query, one at a time, on that one connection. PostgreSQL: a pool (postgres.ts: int8 as
 * numbers, `DatabaseUnreachableError` when the server cannot be reached); its migrations run under an advisory lock.
 */
export async function openRegionDatabase(target: DatabaseTarget): Promise<RegionDatabase> {
  if ('databaseUrl' in target) {
    const pool = await openPostgresPool(target.databaseUrl);
    const kysely = new Kysely<RegionSchema>({ dialect: new PostgresDialect({ pool }) });
    // Kysely's destroy ends the pool.
    return migrated({ kysely, dialect: 'postgres', close: () => kysely.destroy() }, redactDatabaseUrl(target.databaseUrl));
  }
  const sqlite = openDatabase(target.file);
  const kysely = new Kysely<RegionSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  const database: RegionDatabase = {
    kysely,
    dialect: 'sqlite',
    async close() {
      await kysely.destroy();
      // Kysely closes the handle only if a query opened its driver.
      if (sqlite.open) sqlite.close();
    },
  };
  return migrated(database, target.file);
}
