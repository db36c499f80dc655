import { sql } from 'kysely';
import type { Queryable } from './database.js';

/**
 * Runs `fn` in one transaction: its writes all land or none, and (`snapshot`) its reads see one state of the
 * database, on PostgreSQL too (repeatable read; SQLite's transactions always read one snapshot). Inside a
 * transaction already, `fn` joins it.
 */
export async function inTransaction<T>(db: Queryable, fn: (trx: Queryable) => Promise<T>, options: { snapshot?: boolean } = {}): Promise<T> {
  if (db.inTransaction) return fn(db);
  let builder = db.kysely.transaction();
  if (options.snapshot && db.dialect === 'postgres') builder = builder.setIsolationLevel('repeatable read');
  return builder.execute((trx) => fn({ kysely: trx, dialect: db.dialect, inTransaction: true }));
}

/** Two-key PostgreSQL advisory locks of the repositories: this class, and the hash of the lock's name. */
const LOCK_CLASS = 0x6273; // 'bs'

/**
 * Runs `fn` in one transaction that holds the write lock from its first statement, so a check-then-write (the
 * admin's key created on first use, a source's unique fields checked before it is written) is never interleaved
 * with the same sequence of another process: SQLite's BEGIN IMMEDIATE (the `apikey` command beside a running
 * region), or on PostgreSQL a transaction-scoped advisory lock named `lock` (several regions on one database).
 * Inside a transaction already, `fn` joins it (whose lock the caller took).
 */
export async function exclusively<T>(db: Queryable, lock: string, fn: (trx: Queryable) => Promise<T>): Promise<T> {
  if (db.inTransaction) return fn(db);
  if (db.dialect === 'postgres') {
    return db.kysely.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${sql.lit(LOCK_CLASS)}, hashtext(${lock}))`.execute(trx);
      return fn({ kysely: trx, dialect: db.dialect, inTransaction: true });
    });
  }
  // Kysely's SQLite transactions begin DEFERRED: take the connection and begin IMMEDIATE on it instead.
  return db.kysely.connection().execute(async (conn) => {
    await sql`BEGIN IMMEDIATE`.execute(conn);
    try {
      const result = await fn({ kysely: conn, dialect: db.dialect, inTransaction: true });
      await sql`COMMIT`.execute(conn);
      return result;
    } catch (err) {
      // SQLite may have rolled back already (some errors end the transaction): the error to report is `err`.
      await sql`ROLLBACK`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}
