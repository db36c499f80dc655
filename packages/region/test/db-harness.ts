import { afterEach, beforeEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openRegionRepositories, type RegionDatabase, type Repositories } from '@bootsync/region/db';
import { testDatabaseTarget } from './test-database.js';

/** A migrated region database in a fresh temp dir; `close()` closes it and removes the dir. */
export interface TempRegionDb extends Repositories {
  readonly dir: string;
  readonly file: string;
  close(): Promise<void>;
}

async function openTempRegionDb(): Promise<TempRegionDb> {
  const dir = await mkdtemp(join(tmpdir(), 'bootsync-db-'));
  const file = join(dir, 'region.db');
  const repos = await openRegionRepositories(await testDatabaseTarget(dir, 'db'));
  return {
    ...repos,
    dir,
    file,
    async close() {
      await repos.db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every row of every table as JSON, in a stable order: "nothing changed" means this is equal before and after. */
export async function tableContents(db: RegionDatabase): Promise<Map<string, string>> {
  const contents = new Map<string, string>();
  for (const { name } of await db.kysely.introspection.getTables()) {
    contents.set(name, JSON.stringify((await sql`SELECT * FROM ${sql.table(name)} ORDER BY rowid`.execute(db.kysely)).rows));
  }
  return contents;
}

/** Registers hooks giving each test of the enclosing `describe` its own database; call the result inside a test. */
export function useTempRegionDb(): () => TempRegionDb {
  let current: TempRegionDb | undefined;
  beforeEach(async () => {
    current = await openTempRegionDb();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('useTempRegionDb: no database outside a test');
    return current;
  };
}
