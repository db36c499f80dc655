import pg from 'pg';
import { BootsyncError } from '@bootsync/shared/errors';
import type { DatabaseErrorCode } from '../errors/index.js';

/** `url` as logs and errors show it: without its password. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '';
    return u.toString();
  } catch {
    return '(a database URL that is not a URL)';
  }
}

/** The PostgreSQL server of `--database-url` does not answer, or refuses the connection (host, auth, database). */
export class DatabaseUnreachableError extends BootsyncError<DatabaseErrorCode> {
  constructor(
    /** Without its password. */
    readonly url: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('DB_UNREACHABLE', `cannot reach the database at ${url}: ${reason}`, options);
  }
}

/** An int8 the database holds that a JavaScript number would round: refused rather than silently changed. */
export class IntegerTooLargeError extends BootsyncError<DatabaseErrorCode> {
  constructor(readonly value: string) {
    super('DB_INTEGER_TOO_LARGE', `the database returned the integer ${value}, larger than this program can count exactly (2^53 - 1)`);
  }
}

const INT8_OID = 20;

/** int8 as a number (byte counts, counters, `count(*)`), as better-sqlite3 returns SQLite's integers. */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new IntegerTooLargeError(text);
  return n;
}

/** pg's parsers with int8 replaced, for this pool only: pg's global parsers are left as they are. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Error codes of a server that answered but refused us: no such database, bad password, not allowed in. */
const REFUSED_CODES: ReadonlySet<string> = new Set(['3D000', '28P01', '28000', '57P03']);

/** Whether `err` says the server could not be reached or refused the connection, rather than a query failing. */
function isConnectionFailure(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (REFUSED_CODES.has(code) || /^E[A-Z]+$/.test(code))) return true;
  return /timeout expired|Connection terminated/i.test(err.message);
}

/**
 * The pool of a region on PostgreSQL. Connecting is tried once here, so a wrong URL, a stopped server or a missing
 * database fails the start with `DatabaseUnreachableError` naming the URL, rather than at the first request.
 */
export async function openPostgresPool(
  url: string,
  options: { max?: number; connectTimeoutMs?: number; onIdleError?: (err: Error) => void } = {},
): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: url,
    types,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: 'bootsync-region',
  });
  // An idle connection the server drops (restart, failover) is an error event of the pool: without a listener it
  // would end the process. The pool replaces the connection; the next query reports a lasting outage.
  pool.on('error', (err) => options.onIdleError?.(err));
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end();
    if (isConnectionFailure(err)) throw new DatabaseUnreachableError(redactDatabaseUrl(url), err.message, { cause: err });
    throw err;
  }
  return pool;
}
