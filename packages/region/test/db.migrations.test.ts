import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Kysely, SqliteDialect, sql } from 'kysely';
import {
  SchemaTooNewError,
  createRepositories,
  migrateRegionDatabase,
  migrations,
  openDatabase,
  openRegionDatabase,
  type Db,
  type Migration,
  type RegionDatabase,
  type RegionSchema,
} from '@bootsync/region/db';
import { useTempRegionDb } from './db-harness.js';
import { maasCall, oauthHeader, startApi } from './api-harness.js';

/** A pragma's value, read through the region's own connection. */
async function pragma(db: RegionDatabase, name: string): Promise<unknown> {
  const { rows } = await sql.raw(`PRAGMA ${name}`).execute(db.kysely);
  return Object.values(rows[0] as object)[0];
}

/** A second connection on the same file, for what the migrations do to it directly. */
function rawConnection(file: string, use: (raw: Db) => void): void {
  const raw = openDatabase(file);
  try {
    use(raw);
  } finally {
    raw.close();
  }
}

/** The migrations (all, or `only` those) run on the file as the region runs them; the versions applied. */
async function migrateFile(file: string, only: readonly Migration[] = migrations): Promise<number[]> {
  const kysely = new Kysely<RegionSchema>({ dialect: new SqliteDialect({ database: openDatabase(file) }) });
  try {
    return await migrateRegionDatabase({ kysely, dialect: 'sqlite', location: file }, only);
  } finally {
    await kysely.destroy();
  }
}

describe('region database migrations', () => {
  const db = useTempRegionDb();

  it('records the latest version and applies nothing the second time, on a reopened file too', async () => {
    const latest = Math.max(...migrations.map((m) => m.version));
    expect(await pragma(db().db, 'user_version')).toBe(latest);
    expect(await migrateFile(db().file)).toEqual([]);
    rawConnection(db().file, (again) => expect(again.pragma('user_version', { simple: true })).toBe(latest));
  });

  it('keeps data across a re-run of the migrations', async () => {
    await db().bootSources.create({ url: 'http://mirror.example/streams/v1/index.json' });
    await migrateFile(db().file);
    expect((await db().bootSources.list()).map((s) => s.url)).toEqual(['http://mirror.example/streams/v1/index.json']);
  });

  it('0003 records the bootloader type of bootloaders imported before it, from their name', async () => {
    const file = join(db().dir, 'before-0003.db');
    await migrateFile(file, migrations.filter((m) => m.version < 3));
    const extra = { subarches: 'generic', title: 'imported before 0003' };
    // Rows as a version-2 region wrote them (opening the file through the region would migrate it to the latest).
    rawConnection(file, (old) => {
      const insert = old.prepare(`INSERT INTO boot_resources (rtype, name, architecture, extra, created, updated) VALUES ('synced', ?, 'amd64/generic', ?, '', '')`);
      for (const name of ['grub-efi-signed/uefi', 'pxelinux/pxe', 'ubuntu/noble']) insert.run(name, JSON.stringify(extra));
    });
    expect(await migrateFile(file, migrations.filter((m) => m.version <= 3))).toEqual([3]);
    const opened = await openRegionDatabase({ file });
    try {
      const types = (await createRepositories(opened).bootResources.list({})).map((r) => [r.name, r.extra.bootloader_type, r.extra.title]);
      expect(types).toEqual(
        expect.arrayContaining([
          ['grub-efi-signed/uefi', 'uefi', 'imported before 0003'],
          ['pxelinux/pxe', 'pxe', 'imported before 0003'],
          ['ubuntu/noble', undefined, 'imported before 0003'],
        ]),
      );
    } finally {
      await opened.close();
    }
  });

  it('0005 keeps every API key made before it an admin: a region.db written at version 4, opened by this version', async () => {
    const file = join(db().dir, 'before-0005.db');
    await migrateFile(file, migrations.filter((m) => m.version < 5));
    rawConnection(file, (old) => {
      // As versions before users wrote them: the apikey command's admin key, and another key of that time.
      const insert = old.prepare('INSERT INTO api_keys (consumer_key, token_key, token_secret, name, created) VALUES (?, ?, ?, ?, ?)');
      insert.run('c0nsumer0000000000', 't0ken0000000000000', 's3cret00000000000000000000000000', 'admin', '2026-01-02T03:04:05.678Z');
      insert.run('c0nsumer1111111111', 't0ken1111111111111', 's3cret11111111111111111111111111', 'ops', '2026-02-02T03:04:05.678Z');
    });

    const opened = await openRegionDatabase({ file });
    try {
      expect(await pragma(opened, 'user_version')).toBe(Math.max(...migrations.map((m) => m.version)));
      const repos = createRepositories(opened);
      expect((await repos.apiKeys.list()).map((k) => [k.name, k.isSuperuser])).toEqual([['admin', true], ['ops', true]]);
      // And they still write through the API: whoami says so, and creating a source is no 403.
      const api = await startApi({}, { repos });
      try {
        const ops = oauthHeader((await repos.apiKeys.findByTokenKey('t0ken1111111111111'))!);
        expect((await maasCall(api, 'GET', 'users/?op=whoami', [], ops)).json()).toMatchObject({ username: 'ops', is_superuser: true });
        const created = await maasCall(api, 'POST', 'boot-sources/', [['url', 'http://kept-admin.example/'], ['skip_keyring_verification', 'true']], ops);
        expect(created.statusCode).toBe(201);
      } finally {
        await api.close();
      }
    } finally {
      await opened.close();
    }
  });

  it('opens in WAL mode with foreign keys enforced', async () => {
    expect(await pragma(db().db, 'journal_mode')).toBe('wal');
    expect(await pragma(db().db, 'foreign_keys')).toBe(1);
    await expect(
      sql`INSERT INTO selections (boot_source_id, os, release, created, updated) VALUES (999, 'ubuntu', 'noble', '', '')`.execute(db().db.kysely),
    ).rejects.toThrow(/FOREIGN KEY/);
  });

  it('refuses a database written by a newer version', async () => {
    rawConnection(db().file, (raw) => raw.pragma('user_version = 999'));
    await expect(migrateFile(db().file)).rejects.toThrow(SchemaTooNewError);
  });

  it('rolls back a failing migration whole and leaves the version alone', async () => {
    const before = Math.max(...migrations.map((m) => m.version));
    const broken = [...migrations, { version: before + 1, name: 'broken', statements: { sqlite: ['CREATE TABLE half (x)', 'INSERT INTO nowhere VALUES (1)'], postgres: [] } }];
    await expect(migrateFile(db().file, broken)).rejects.toThrow(/no such table: nowhere/);
    rawConnection(db().file, (raw) => {
      expect(raw.pragma('user_version', { simple: true })).toBe(before);
      expect(raw.prepare(`SELECT name FROM sqlite_master WHERE name = 'half'`).get()).toBeUndefined();
    });
  });
});
