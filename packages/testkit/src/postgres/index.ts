import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server tests make their databases on: the machine's own (127.0.0.1:5432, user postgres, trust
 * auth), or BOOTSYNC_TEST_POSTGRES_URL. The URL names a database the tests may connect to in order to create theirs.
 */
export const testPostgresUrl = process.env.BOOTSYNC_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type TestDialect = 'sqlite' | 'postgres';

/**
 * The database the region's test harnesses give a region: SQLite files (the default), or with
 * BOOTSYNC_TEST_DATABASE=postgres (the `postgres` vitest project) PostgreSQL. Anything else is a mistake, said so.
 */
export function testDialect(env: NodeJS.ProcessEnv = process.env): TestDialect {
  const value = env.BOOTSYNC_TEST_DATABASE ?? 'sqlite';
  if (value !== 'sqlite' && value !== 'postgres') throw new Error(`BOOTSYNC_TEST_DATABASE=${value}: expected sqlite or postgres`);
  return value;
}

/** A database of a test's own; `drop()` removes it, closing whatever connection a test left open. */
export interface TestDatabase {
  readonly name: string;
  /** `postgres://...` of that database, what a region's --database-url takes. */
  readonly url: string;
  drop(): Promise<void>;
}

/** `"name"`: identifiers here are made by `uniqueName` (lower case, digits, `_`), quoted all the same. */
const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A lower-case identifier unique to this call, under PostgreSQL's 63 bytes. */
function uniqueName(label: string): string {
  const safe = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 40);
  return `bst_${safe}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** `url` with its database (path) replaced, and its other parts (user, host, query) kept. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Runs statements on one short-lived connection to `url`. */
async function runOn(url: string, statements: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Creates a uniquely named, empty database on the test server (like `uniquePrefix()` for Redis): test files run in
 * parallel against one PostgreSQL, each in databases of its own.
 */
export async function createTestDatabase(label = 'test', serverUrl: string = testPostgresUrl): Promise<TestDatabase> {
  const name = uniqueName(label);
  await runOn(serverUrl, [`CREATE DATABASE ${quoted(name)}`]);
  return {
    name,
    url: withDatabase(serverUrl, name),
    // FORCE (PostgreSQL 13+) ends the sessions a failed test left behind, rather than failing on them.
    drop: () => runOn(serverUrl, [`DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`]),
  };
}

/**
 * A schema of its own in `databaseUrl`, returned as a URL whose connections work in it alone (`search_path`): one
 * test's region beside others in a test file's database, without the cost of a database each.
 */
export async function createTestSchema(databaseUrl: string, label = 'region'): Promise<{ readonly name: string; readonly url: string }> {
  const name = uniqueName(label);
  await runOn(databaseUrl, [`CREATE SCHEMA ${quoted(name)}`]);
  const u = new URL(databaseUrl);
  u.searchParams.set('options', `-c search_path=${name}`);
  return { name, url: u.toString() };
}
