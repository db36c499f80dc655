import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SchemaTooNewError, createRepositories, migrate, migrations, openDatabase } from '@bootsync/region/db';
import { useTempRegionDb } from './db-harness.js';

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
    const broken = [...migrations, { version: before + 1, name: 'broken', sql: 'CREATE TABLE half (x); INSERT INTO nowhere VALUES (1);' }];
    expect(() => migrate(db().db, broken)).toThrow(/no such table: nowhere/);
    expect(db().db.pragma('user_version', { simple: true })).toBe(before);
    expect(db().db.prepare(`SELECT name FROM sqlite_master WHERE name = 'half'`).get()).toBeUndefined();
  });
});
