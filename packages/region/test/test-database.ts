import { join } from 'node:path';
import { createTestSchema, testDialect } from '@bootsync/testkit/postgres';
import type { DatabaseTarget } from '@bootsync/region/db';

/** Where postgres-setup.ts leaves the URL of the test file's database. */
export const FILE_DATABASE_ENV = 'BOOTSYNC_TEST_FILE_DATABASE_URL';

/**
 * The database URL a test's region gets (its `--database-url`): none on SQLite (the region keeps its file in its
 * data dir), or on PostgreSQL (the `postgres` vitest project) a new schema of the test file's database, so every
 * region of a test starts empty as it does in a fresh data dir.
 */
async function newTestDatabaseUrl(label = 'region'): Promise<string | undefined> {
  if (testDialect() === 'sqlite') return undefined;
  const fileDatabase = process.env[FILE_DATABASE_ENV];
  if (fileDatabase === undefined) {
    throw new Error(`BOOTSYNC_TEST_DATABASE=postgres needs the setup file of the postgres project (vitest.config.ts): run with --project postgres`);
  }
  return (await createTestSchema(fileDatabase, label)).url;
}

const byDataDir = new Map<string, Promise<string | undefined>>();

/**
 * The database URL of the region whose data dir is `dataDir`: the same for every start on that dir, as a region
 * restarted on its data dir finds its SQLite file again.
 */
export function testDatabaseUrlFor(dataDir: string): Promise<string | undefined> {
  let url = byDataDir.get(dataDir);
  if (url === undefined) {
    url = newTestDatabaseUrl('region');
    byDataDir.set(dataDir, url);
  }
  return url;
}

/** Where a test's region database goes: a file `region.db` in `dir` on SQLite, a new schema on PostgreSQL. */
export async function testDatabaseTarget(dir: string, label = 'region'): Promise<DatabaseTarget> {
  const databaseUrl = await newTestDatabaseUrl(label);
  return databaseUrl === undefined ? { file: join(dir, 'region.db') } : { databaseUrl };
}
