import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger } from '@bootsync/testkit/logs';
import { createTestDatabase } from '@bootsync/testkit/postgres';
import { createRepositories, openRegionDatabase, REGION_TABLES, tableRows, TargetNotEmptyError, type RegionDatabase } from '@bootsync/region/db';
import { migrateSqliteToPostgres, SourceDatabaseMissingError } from '../src/migrate-db.js';
import { createImportHarness, type ImportHarness } from './import-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A SQLite region that imported from the testkit mirror, with a second user's key and a registered rack. */
async function populatedRegion(): Promise<ImportHarness> {
  const harness = await createImportHarness({ sqlite: true });
  cleanups.push(() => harness.close());
  expect((await harness.importNow()).outcome).toBe('succeeded');
  await harness.repos.apiKeys.ensureUser('alice', false);
  await harness.repos.rackRecords.register('rack-1', 'rack-1-token', '2026-12-03T17:00:00.000Z');
  await harness.repos.rackRecords.progress('rack-1', 123, 4567, '2026-12-03T17:00:01.000Z');
  return harness;
}

async function emptyPostgres(): Promise<{ url: string; name: string }> {
  const database = await createTestDatabase('migrate-db');
  cleanups.push(() => database.drop());
  return database;
}

async function openPostgres(url: string): Promise<RegionDatabase> {
  const db = await openRegionDatabase({ databaseUrl: url });
  cleanups.push(() => db.close());
  return db;
}

describe('migrate-db: a SQLite region into PostgreSQL', () => {
  it('copies every row of every table, ids and the region identity kept, and new ids follow the copied ones', async () => {
    const region = await populatedRegion();
    const target = await emptyPostgres();
    const { logger, lines } = capturingLogger('migrate-db-test');
    const copied = await migrateSqliteToPostgres(join(region.dir, 'region.db'), target.url, logger);

    const pg = await openPostgres(target.url);
    for (const { name, orderBy } of REGION_TABLES) {
      const before = await tableRows(region.repos.db.kysely, name, orderBy);
      expect(await tableRows(pg.kysely, name, orderBy), name).toEqual(before);
      expect(copied[name], name).toBe(before.length);
      if (name !== 'generations') expect(before.length, `${name} was populated`).toBeGreaterThan(0);
    }
    expect(lines).toContainEqual(expect.objectContaining({ event: 'region.database_migrated', rows: copied }));
    // The secret beside region.db is the one the copy holds: racks keep their --secret-file.
    const secret = (await readFile(join(region.dir, 'secret'), 'utf8')).trim();
    expect(await pg.kysely.selectFrom('region_identity').select('value').where('key', '=', 'secret').executeTakeFirst()).toEqual({ value: secret });

    // A region on the copy goes on where the SQLite one was.
    const repos = createRepositories(pg);
    expect((await repos.apiKeys.list()).map((k) => [k.name, k.isSuperuser])).toEqual((await region.repos.apiKeys.list()).map((k) => [k.name, k.isSuperuser]));
    expect((await repos.rackRecords.findByToken('rack-1-token'))?.name).toBe('rack-1');
    const highest = Math.max(...(await region.repos.bootSources.list()).map((s) => s.id));
    const added = await repos.bootSources.create({ url: 'http://after-migration.example/', skipKeyringVerification: true });
    expect(added.id).toBe(highest + 1);
  });

  it('refuses a target that already holds a region, and writes nothing into it', async () => {
    const region = await populatedRegion();
    const target = await emptyPostgres();
    const pg = await openPostgres(target.url);
    await createRepositories(pg).apiKeys.ensureAdmin();
    const before = await tableRows(pg.kysely, 'api_keys', 'token_key');

    const refused = migrateSqliteToPostgres(join(region.dir, 'region.db'), target.url, capturingLogger('migrate-db-test').logger);
    await expect(refused).rejects.toThrow(TargetNotEmptyError);
    await expect(migrateSqliteToPostgres(join(region.dir, 'region.db'), target.url, capturingLogger('migrate-db-test').logger)).rejects.toThrow(
      `${target.url} already holds a region (rows in api_keys): migrate-db copies into an empty database only`,
    );
    expect(await tableRows(pg.kysely, 'api_keys', 'token_key')).toEqual(before);
    expect(await tableRows(pg.kysely, 'boot_sources', 'id')).toEqual([]);
  });

  it('refuses a SQLite file that does not exist rather than copy an empty region', async () => {
    const target = await emptyPostgres();
    const missing = migrateSqliteToPostgres('/nonexistent/region.db', target.url, capturingLogger('migrate-db-test').logger);
    await expect(missing).rejects.toThrow(SourceDatabaseMissingError);
    await expect(migrateSqliteToPostgres('/nonexistent/region.db', target.url, capturingLogger('migrate-db-test').logger)).rejects.toThrow('/nonexistent/region.db: no such file');
  });
});
