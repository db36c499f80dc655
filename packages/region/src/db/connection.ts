import Database from 'better-sqlite3';
import { BootsyncError } from '@bootsync/shared/errors';
import type { DatabaseErrorCode } from '../errors/index.js';

export type Db = Database.Database;

/** The database file is damaged or is not a SQLite database at all: the region cannot start on it. */
export class DatabaseCorruptError extends BootsyncError<DatabaseErrorCode> {
  constructor(
    readonly file: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      'DB_CORRUPT',
      `${file} is corrupt (${detail}): restore it from a backup (docs/operations.md, "Backup and restore"), ` +
        `or move it aside with its -wal and -shm files to start with an empty region`,
      options,
    );
  }
}

/** SQLite's result codes for a file that is not a database, or one whose pages do not hold together. */
const CORRUPTION_CODES: ReadonlySet<string> = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

/**
 * Opens (creating if needed) the region database with the settings every connection needs:
 * WAL so the HTTP API reads while an import writes, foreign keys on (SQLite leaves them off by default),
 * and a busy timeout so a second connection waits instead of failing. A damaged file is refused at once with
 * `DatabaseCorruptError` (a quick_check reads every page: the database is small), rather than failing later on
 * whichever query first reads a bad page.
 */
export function openDatabase(file: string): Db {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    const problems = (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check).filter((r) => r !== 'ok');
    if (problems.length > 0) throw new DatabaseCorruptError(file, problems[0] ?? 'quick_check failed');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    return db;
  } catch (err) {
    db.close();
    if (err instanceof Database.SqliteError && CORRUPTION_CODES.has(err.code)) throw new DatabaseCorruptError(file, err.message, { cause: err });
    throw err;
  }
}
