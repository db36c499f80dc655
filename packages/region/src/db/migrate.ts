import { sql, type Kysely } from 'kysely';
import { BootsyncError } from '@bootsync/shared/errors';
import type { DatabaseErrorCode } from '../errors/index.js';
import { migrations as allMigrations, type Dialect, type Migration } from './migrations/index.js';

/** The database is newer than this program (a downgrade): refuse rather than guess. */
export class SchemaTooNewError extends BootsyncError<DatabaseErrorCode> {
  constructor(
    /** The SQLite file, or the PostgreSQL URL without its password. */
    readonly file: string,
    readonly found: number,
    readonly known: number,
  ) {
    super('DB_SCHEMA_TOO_NEW', `${file}: schema version ${found} is newer than this program knows (${known})`);
  }
}

/** What the migrations run on: a region database's Kysely, its dialect, and where it is (for errors). */
export interface MigrationTarget<DB> {
  readonly kysely: Kysely<DB>;
  readonly dialect: Dialect;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
}

/**
 * A constant of bootsync's own (`bootsync` in ASCII) for `pg_advisory_lock`: regions of one database starting at
 * once migrate one after the other, and the later finds nothing left to do.
 */
const MIGRATION_LOCK = 0x626f6f7473796e63n;

/**
 * The migrations to apply, in order, to a database at version `current`; `SchemaTooNewError` when the database is
 * newer than this program.
 */
function pendingMigrations(current: number, migrations: readonly Migration[], location: string): Migration[] {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const known = ordered.at(-1)?.version ?? 0;
  if (current > known) throw new SchemaTooNewError(location, current, known);
  return ordered.filter((m) => m.version > current);
}

/**
 * Applies the migrations not yet applied, each in its own transaction with the record of its version; returns the
 * versions applied. SQLite records the version in `user_version`, as every region before PostgreSQL did;
 * PostgreSQL in `schema_migrations`, under an advisory lock.
 */
export async function migrateRegionDatabase<DB>(target: MigrationTarget<DB>, migrations: readonly Migration[] = allMigrations): Promise<number[]> {
  const pending = (current: number): Migration[] => pendingMigrations(current, migrations, target.location);
  return target.dialect === 'sqlite' ? migrateSqlite(target.kysely, pending) : migratePostgres(target.kysely, pending);
}

async function migrateSqlite<DB>(db: Kysely<DB>, pending: (current: number) => Migration[]): Promise<number[]> {
  const { rows } = await sql<{ user_version: number }>`PRAGMA user_version`.execute(db);
  const applied: number[] = [];
  for (const m of pending(rows[0]?.user_version ?? 0)) {
    await db.transaction().execute(async (trx) => {
      for (const statement of m.statements.sqlite) await sql.raw(statement).execute(trx);
      await sql.raw(`PRAGMA user_version = ${m.version}`).execute(trx);
    });
    applied.push(m.version);
  }
  return applied;
}

async function migratePostgres<DB>(db: Kysely<DB>, pending: (current: number) => Migration[]): Promise<number[]> {
  // One connection throughout: a session's advisory lock is released by that session only.
  return db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${sql.raw(MIGRATION_LOCK.toString())})`.execute(conn);
    try {
      await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied text NOT NULL
      )`.execute(conn);
      const { rows } = await sql<{ version: number | null }>`SELECT max(version) AS version FROM schema_migrations`.execute(conn);
      const applied: number[] = [];
      for (const m of pending(rows[0]?.version ?? 0)) {
        await conn.transaction().execute(async (trx) => {
          for (const statement of m.statements.postgres) await sql.raw(statement).execute(trx);
          await sql`INSERT INTO schema_migrations (version, name, applied) VALUES (${m.version}, ${m.name}, ${new Date().toISOString()})`.execute(trx);
        });
        applied.push(m.version);
      }
      return applied;
    } finally {
      await sql`SELECT pg_advisory_unlock(${sql.raw(MIGRATION_LOCK.toString())})`.execute(conn);
    }
  });
}
