import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@bootsync/testkit/postgres';
import { createRepositories, openRegionDatabase, type DatabaseTarget, type Repositories } from '@bootsync/region/db';
import { ensureRegionIdentity, IdentityFileError, prepareDataDir } from '@bootsync/region/identity';
import { tempDir } from './daemon-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function dataDir(): Promise<string> {
  const dir = await tempDir('identity');
  cleanups.push(dir.remove);
  return dir.path;
}

/** A region database of the dialect: SQLite in the data dir, or a PostgreSQL database of its own. */
async function database(dialect: 'sqlite' | 'postgres', dir: string): Promise<Repositories> {
  let target: DatabaseTarget = { file: join(dir, 'region.db') };
  if (dialect === 'postgres') {
    const created = await createTestDatabase('identity');
    cleanups.push(() => created.drop());
    target = { databaseUrl: created.url };
  }
  const repos = createRepositories(await openRegionDatabase(target));
  cleanups.push(() => repos.db.close());
  return repos;
}

const read = async (file: string): Promise<string> => (await readFile(file, 'utf8')).trim();

describe.each(['sqlite', 'postgres'] as const)('region identity on %s', (dialect) => {
  it('creates a private 64-hex secret and a 12-hex region id in the database, and writes them to the data dir', async () => {
    const dir = await dataDir();
    const paths = await prepareDataDir(dir, { sqliteFile: dialect === 'sqlite' });
    const repos = await database(dialect, dir);
    const first = await ensureRegionIdentity(paths, repos.regionIdentity);
    expect(first.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(first.regionId).toMatch(/^[0-9a-f]{12}$/);
    expect(first.redisPrefix).toBe(`bootsync:region:${first.regionId}`);
    expect(await read(paths.secret)).toBe(first.secret);
    expect(await read(paths.regionId)).toBe(first.regionId);
    expect((await stat(paths.secret)).mode & 0o777).toBe(0o600);
    const rows = await repos.db.kysely.selectFrom('region_identity').select(['key', 'value']).orderBy('key').execute();
    expect(rows).toEqual([
      { key: 'region_id', value: first.regionId },
      { key: 'secret', value: first.secret },
    ]);
    expect(await ensureRegionIdentity(paths, repos.regionIdentity)).toEqual(first);
    // Another region of its own (another data dir, another database) is another identity.
    const otherDir = await dataDir();
    const other = await ensureRegionIdentity(await prepareDataDir(otherDir, { sqliteFile: true }), (await database(dialect, otherDir)).regionIdentity);
    expect(other.secret).not.toBe(first.secret);
    expect(other.regionId).not.toBe(first.regionId);
  });

  it('gives every region of one database its secret and id, whatever their data dirs held', async () => {
    const repos = await database(dialect, await dataDir());
    const first = await ensureRegionIdentity(await prepareDataDir(await dataDir(), { sqliteFile: false }), repos.regionIdentity);
    // A second region with a data dir of its own: fresh, and one that had another secret.
    const fresh = await prepareDataDir(await dataDir(), { sqliteFile: false });
    expect(await ensureRegionIdentity(fresh, repos.regionIdentity)).toMatchObject({ secret: first.secret, regionId: first.regionId, replacedFiles: [] });
    expect(await read(fresh.secret)).toBe(first.secret);
    const stale = await prepareDataDir(await dataDir(), { sqliteFile: false });
    await writeFile(stale.secret, `${'a'.repeat(64)}\n`, { mode: 0o644 });
    const joined = await ensureRegionIdentity(stale, repos.regionIdentity);
    expect(joined).toMatchObject({ secret: first.secret, regionId: first.regionId, replacedFiles: [stale.secret] });
    expect(await read(stale.secret)).toBe(first.secret);
    expect((await stat(stale.secret)).mode & 0o777).toBe(0o600);
  });

  it("adopts the secret and id a region kept in its data dir before they moved into the database: its racks keep working", async () => {
    const dir = await dataDir();
    const paths = await prepareDataDir(dir, { sqliteFile: dialect === 'sqlite' });
    const secret = 'c0ffee'.repeat(10) + 'c0de';
    await writeFile(paths.secret, `${secret}\n`, { mode: 0o600 });
    await writeFile(paths.regionId, 'abcdef012345\n');
    const repos = await database(dialect, dir);
    const identity = await ensureRegionIdentity(paths, repos.regionIdentity);
    expect(identity).toMatchObject({ secret, regionId: 'abcdef012345', replacedFiles: [] });
    expect(await read(paths.secret)).toBe(secret);
    expect(await repos.db.kysely.selectFrom('region_identity').select('value').where('key', '=', 'secret').executeTakeFirst()).toEqual({ value: secret });
  });

  it('agrees on one secret and id when processes start at once', async () => {
    const dir = await dataDir();
    const repos = await database(dialect, dir);
    const paths = await prepareDataDir(dir, { sqliteFile: dialect === 'sqlite' });
    const all = await Promise.all(Array.from({ length: 8 }, () => ensureRegionIdentity(paths, repos.regionIdentity)));
    expect(new Set(all.map((i) => i.secret)).size).toBe(1);
    expect(new Set(all.map((i) => i.regionId)).size).toBe(1);
    expect(await read(paths.secret)).toBe(all[0]!.secret);
  });

  it('refuses a damaged secret file, naming it', async () => {
    const dir = await dataDir();
    const repos = await database(dialect, dir);
    const paths = await prepareDataDir(dir, { sqliteFile: dialect === 'sqlite' });
    await ensureRegionIdentity(paths, repos.regionIdentity);
    await writeFile(paths.secret, 'short\n');
    const refused = ensureRegionIdentity(paths, repos.regionIdentity);
    await expect(refused).rejects.toThrow(IdentityFileError);
    await expect(ensureRegionIdentity(paths, repos.regionIdentity)).rejects.toThrow(`${paths.secret}: expected 64 hex characters`);
  });
});

describe('the data dir', () => {
  it('holds a private, empty SQLite file before SQLite writes to it, and none when the region is on PostgreSQL', async () => {
    const onSqlite = await prepareDataDir(await dataDir(), { sqliteFile: true });
    expect((await stat(onSqlite.database)).mode & 0o777).toBe(0o600);
    expect((await stat(onSqlite.root)).mode & 0o777).toBe(0o700);
    expect((await stat(onSqlite.store)).isDirectory()).toBe(true);
    const onPostgres = await prepareDataDir(await dataDir(), { sqliteFile: false });
    await expect(stat(onPostgres.database)).rejects.toThrow(/ENOENT/);
    expect((await stat(onPostgres.store)).isDirectory()).toBe(true);
  });
});
