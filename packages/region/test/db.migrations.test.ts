import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SchemaTooNewError, createRepositories, migrate, migrations, openDatabase, openMigratedSqlite } from '@bootsync/region/db';
import { useTempRegionDb } from './db-harness.js';
import { maasCall, oauthHeader, startApi } from './api-harness.js';

describe('region database migrations', () => {
  const db = useTempRegionDb();

  it('records the latest version and applies nothing the second time, on a reopened file too', () => {
    const latest = Math.max(...migrations.map((m) => m.version));
    expect(db().db.pragma('user_version', { simple: true })).toBe(latest);
    expect(migrate(db().db)).toEqual([]);
    const again = openDatabase(db().file);
    try {
      expect(migrate(again)).toEqual([]);
      expect(again.pragma('user_version', { simple: true })).toBe(latest);
    } finally {
      again.close();
    }
  });

  it('keeps data across a re-run of the migrations', () => {
    db().bootSources.create({ url: 'http://mirror.example/streams/v1/index.json' });
    migrate(db().db);
    expect(db().bootSources.list().map((s) => s.url)).toEqual(['http://mirror.example/streams/v1/index.json']);
  });

  it('0003 records the bootloader type of bootloaders imported before it, from their name', () => {
    const old = openDatabase(join(db().dir, 'before-0003.db'));
    try {
      migrate(old, migrations.filter((m) => m.version < 3));
      const repos = createRepositories(old);
      const extra = { subarches: 'generic', title: 'imported before 0003' };
      for (const name of ['grub-efi-signed/uefi', 'pxelinux/pxe', 'ubuntu/noble']) repos.bootResources.upsert({ rtype: 'synced', name, architecture: 'amd64/generic', extra });
      expect(migrate(old, migrations.filter((m) => m.version <= 3))).toEqual([3]);
      const types = repos.bootResources.list({}).map((r) => [r.name, r.extra.bootloader_type, r.extra.title]);
      expect(types).toEqual(
        expect.arrayContaining([
          ['grub-efi-signed/uefi', 'uefi', 'imported before 0003'],
          ['pxelinux/pxe', 'pxe', 'imported before 0003'],
          ['ubuntu/noble', undefined, 'imported before 0003'],
        ]),
      );
    } finally {
      old.close();
    }
  });

  it('0005 keeps every API key made before it an admin: a region.db written at version 4, opened by this version', async () => {
    const file = join(db().dir, 'before-0005.db');
    const old = openDatabase(file);
    migrate(old, migrations.filter((m) => m.version < 5));
    // As versions before users wrote them: the apikey command's admin key, and another key of that time.
    const insert = old.prepare('INSERT INTO api_keys (consumer_key, token_key, token_secret, name, created) VALUES (?, ?, ?, ?, ?)');
    insert.run('c0nsumer0000000000', 't0ken0000000000000', 's3cret00000000000000000000000000', 'admin', '2026-01-02T03:04:05.678Z');
    insert.run('c0nsumer1111111111', 't0ken1111111111111', 's3cret11111111111111111111111111', 'ops', '2026-02-02T03:04:05.678Z');
    old.close();

    const opened = openMigratedSqlite(file);
    try {
      expect(opened.pragma('user_version', { simple: true })).toBe(Math.max(...migrations.map((m) => m.version)));
      const repos = createRepositories(opened);
      expect(repos.apiKeys.list().map((k) => [k.name, k.isSuperuser])).toEqual([['admin', true], ['ops', true]]);
      // And they still write through the API: whoami says so, and creating a source is no 403.
      const api = await startApi({}, { repos });
      try {
        const ops = oauthHeader(repos.apiKeys.findByTokenKey('t0ken1111111111111')!);
        expect((await maasCall(api, 'GET', 'users/?op=whoami', [], ops)).json()).toMatchObject({ username: 'ops', is_superuser: true });
        const created = await maasCall(api, 'POST', 'boot-sources/', [['url', 'http://kept-admin.example/'], ['skip_keyring_verification', 'true']], ops);
        expect(created.statusCode).toBe(201);
      } finally {
        await api.close();
      }
    } finally {
      opened.close();
    }
  });

  it('opens in WAL mode with foreign keys enforced', () => {
    expect(db().db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db().db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(() => db().db.prepare(`INSERT INTO selections (boot_source_id, os, release, created, updated) VALUES (999, 'ubuntu', 'noble', '', '')`).run()).toThrow(
      /FOREIGN KEY/,
    );
  });

  it('refuses a database written by a newer version', () => {
    db().db.pragma('user_version = 999');
    expect(() => migrate(db().db)).toThrow(SchemaTooNewError);
  });

  it('rolls back a failing migration whole and leaves the version alone', () => {
    const before = db().db.pragma('user_version', { simple: true }) as number;
    const broken = [...migrations, { version: before + 1, name: 'broken', statements: { sqlite: ['CREATE TABLE half (x)', 'INSERT INTO nowhere VALUES (1)'], postgres: [] } }];
    expect(() => migrate(db().db, broken)).toThrow(/no such table: nowhere/);
    expect(db().db.pragma('user_version', { simple: true })).toBe(before);
    expect(db().db.prepare(`SELECT name FROM sqlite_master WHERE name = 'half'`).get()).toBeUndefined();
  });
});
