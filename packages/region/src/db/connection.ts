import Database from 'better-sqlite3';
import { BootsyncError } from '@bootsync/shared/errors';
import { migrations as allMigrations, type Migration } from './migrations/index.js';

export type Db = Database.Database;

/** The database file is newer than this program (a downgrade): refuse rather than guess. */
export class SchemaTooNewError extends BootsyncError {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly known: number,
  ) {
    super('DB_SCHEMA_TOO_NEW', `${file}: schema version ${found} is newer than this program knows (${known})`);
  }
}

/**
 * Opens (creating if needed) the region database with the settings every connection needs:
 * WAL so the HTTP API reads while an import writes, foreign keys on (SQLite leaves them off by default),
 * and a busy timeout so a second connection waits instead of failing.
 */
export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  return db;
}

/** Applies the migrations not yet applied, each in its own transaction; returns the versions applied. */
export function migrate(db: Db, migrations: readonly Migration[] = allMigrations): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > known) throw new SchemaTooNewError(db.name, current, known);
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}

/** Opens and migrates: what the daemon and the `apikey` command both do first. */
export function openRegionDatabase(file: string): Db {
  const db = openDatabase(file);
  migrate(db);
  return db;
}
