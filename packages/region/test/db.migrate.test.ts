import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@bootsync/testkit/net';
import { createTestDatabase } from '@bootsync/testkit/postgres';
import {
  DatabaseUnreachableError,
  IntegerTooLargeError,
  SchemaTooNewError,
  migrateRegionDatabase,
  migrations,
  openRegionDatabase,
  type DatabaseTarget,
  type Migration,
  type RegionDatabase,
  type RegionSchema,
} from '@bootsync/region/db';

const latest = Math.max(...migrations.map((m) => m.version));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A place for a new region database of the dialect: a file in a temp dir, or a PostgreSQL database of its own. */
const places = {
  async sqlite(): Promise<{ target: DatabaseTarget; location: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'bootsync-migrate-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'region.db');
    return { target: { file }, location: file };
  },
  async postgres(): Promise<{ target: DatabaseTarget; location: string }> {
    const database = await createTestDatabase('migrate');
    cleanups.push(() => database.drop());
    return { target: { databaseUrl: database.url }, location: database.url };
  },
};

async function open(target: DatabaseTarget): Promise<RegionDatabase> {
  const db = await openRegionDatabase(target);
  cleanups.push(() => db.close());
  return db;
}

/** The schema version the database records. */
async function version(db: RegionDatabase): Promise<number> {
  if (db.dialect === 'sqlite') return (await sql<{ user_version: number }>`PRAGMA user_version`.execute(db.kysely)).rows[0]!.user_version;
  return (await sql<{ v: number }>`SELECT max(version) AS v FROM schema_migrations`.execute(db.kysely)).rows[0]!.v;
}

const target = (db: RegionDatabase, location: string) => ({ kysely: db.kysely, dialect: db.dialect, location });

describe.each(['sqlite', 'postgres'] as const)('migrations on %s', (dialect) => {
  it('records the latest version, and applies nothing on a second run or a reopened database', async () => {
    const { target: where, location } = await places[dialect]();
    const db = await open(where);
    expect(await version(db)).toBe(latest);
    expect(await migrateRegionDatabase(target(db, location))).toEqual([]);
    const again = await open(where);
    expect(await version(again)).toBe(latest);
  });

  it('rolls back a failing migration whole and leaves the version alone', async () => {
    const { target: where, location } = await places[dialect]();
    const db = await open(where);
    const broken: Migration = {
      version: latest + 1,
      name: 'broken',
      statements: { sqlite: ['CREATE TABLE half (x INTEGER)', 'INSERT INTO nowhere VALUES (1)'], postgres: ['CREATE TABLE half (x integer)', 'INSERT INTO nowhere VALUES (1)'] },
    };
    await expect(migrateRegionDatabase(target(db, location), [...migrations, broken])).rejects.toThrow(/nowhere/);
    expect(await version(db)).toBe(latest);
    await expect(sql`SELECT * FROM half`.execute(db.kysely)).rejects.toThrow(/half/);
  });

  it('refuses a database written by a newer version, naming it', async () => {
    const { target: where, location } = await places[dialect]();
    const db = await open(where);
    if (dialect === 'sqlite') await sql.raw('PRAGMA user_version = 999').execute(db.kysely);
    else await sql`INSERT INTO schema_migrations (version, name, applied) VALUES (999, 'from the future', '')`.execute(db.kysely);
    const refused = migrateRegionDatabase(target(db, location));
    await expect(refused).rejects.toThrow(SchemaTooNewError);
    await expect(migrateRegionDatabase(target(db, location))).rejects.toThrow(`schema version 999 is newer than this program knows (${latest})`);
    await expect(openRegionDatabase(where)).rejects.toThrow(SchemaTooNewError);
  });

  it('counts every change to sources and selections, a cascade included, as the other dialect does', async () => {
    const db = await open((await places[dialect]()).target);
    const generation = async (): Promise<number> => (await db.kysely.selectFrom('generations').select('value').executeTakeFirstOrThrow()).value;
    expect(await generation()).toBe(0);
    const { id } = await db.kysely
      .insertInto('boot_sources')
      .values({ name: 'a', url: 'http://mirror.example/', priority: 1, enabled: 1, skip_keyring_verification: 1, keyring_data: null, created: '', updated: '' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.kysely.insertInto('selections').values({ boot_source_id: id, os: 'ubuntu', release: 'noble', created: '', updated: '' }).execute();
    await db.kysely.deleteFrom('boot_sources').execute();
    expect(await generation()).toBe(4);
  });

  it('sorts names byte by byte, as SQLite does', async () => {
    const db = await open((await places[dialect]()).target);
    const names = ['ubuntu/noble', 'Ubuntu/jammy', 'custom_image', 'custom-image', 'grub-efi/uefi', 'a', 'B'];
    await db.kysely
      .insertInto('boot_resources')
      .values(names.map((name) => ({ rtype: 'uploaded' as const, name, architecture: 'amd64/generic', created: '', updated: '' })))
      .execute();
    const sorted = await db.kysely.selectFrom('boot_resources').select('name').orderBy('name').execute();
    expect(sorted.map((r) => r.name)).toEqual([...names].sort());
  });
});

describe('migrations on PostgreSQL, several regions at once', () => {
  it('applies each migration once when two regions start on one fresh database at the same time', async () => {
    const database = await createTestDatabase('migrate-race');
    cleanups.push(() => database.drop());
    const kyselys = [0, 1].map(() => new Kysely<RegionSchema>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }) }) }));
    cleanups.push(async () => {
      for (const k of kyselys) await k.destroy();
    });
    const applied = await Promise.all(kyselys.map((kysely) => migrateRegionDatabase({ kysely, dialect: 'postgres', location: database.name })));
    expect(applied.flat().sort((a, b) => a - b)).toEqual(migrations.map((m) => m.version));
    const recorded = await sql<{ version: number; n: number }>`SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version`.execute(kyselys[0]!);
    expect(recorded.rows).toEqual(migrations.map((m) => ({ version: m.version, n: 1 })));
    // Their pools are plain pg's (int8 as text): the seed row of the first migration, once.
    expect((await kyselys[1]!.selectFrom('generations').selectAll().execute())).toEqual([{ name: 'sources', value: '0' }]);
  });
});

describe('the PostgreSQL connection', () => {
  it('reads int8 columns as numbers, and refuses one a number cannot hold exactly', async () => {
    const database = await createTestDatabase('int8');
    cleanups.push(() => database.drop());
    const db = await open({ databaseUrl: database.url });
    const counted = await sql<{ n: unknown; big: unknown }>`SELECT count(*) AS n, ${sql.lit(Number.MAX_SAFE_INTEGER)}::int8 AS big`.execute(db.kysely);
    expect(counted.rows).toEqual([{ n: 1, big: Number.MAX_SAFE_INTEGER }]);
    const tooBig = sql`SELECT ${sql.lit(String(2n ** 53n))}::int8 AS big`.execute(db.kysely);
    await expect(tooBig).rejects.toThrow(IntegerTooLargeError);
    await expect(sql`SELECT 9007199254740993::int8 AS big`.execute(db.kysely)).rejects.toThrow('9007199254740993');
  });

  it('says which database it cannot reach, without the password, when nothing listens there', async () => {
    const port = await freePort();
    const err = await openRegionDatabase({ databaseUrl: `postgres://bootsync:s3cret@127.0.0.1:${port}/bootsync` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnreachableError);
    expect(err).toMatchObject({ code: 'DB_UNREACHABLE', url: `postgres://bootsync@127.0.0.1:${port}/bootsync` });
    expect((err as Error).message).toMatch(new RegExp(`^cannot reach the database at postgres://bootsync@127\\.0\\.0\\.1:${port}/bootsync: .*ECONNREFUSED`));
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('says so when the server answers but has no such database', async () => {
    const database = await createTestDatabase('gone');
    await database.drop();
    const err = await openRegionDatabase({ databaseUrl: database.url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnreachableError);
    expect((err as Error).message).toContain(`database "${database.name}" does not exist`);
  });
});
