import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { migrations, openRegionDatabase } from '@bootsync/region/db';

describe('openRegionDatabase on SQLite', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bootsync-database-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('opens the file migrated, in WAL mode with foreign keys on, and queries it through Kysely', async () => {
    const db = await openRegionDatabase({ file: join(dir, 'region.db') });
    try {
      expect(db.dialect).toBe('sqlite');
      const pragma = async (name: string): Promise<unknown> => Object.values((await sql.raw(`PRAGMA ${name}`).execute(db.kysely)).rows[0] as object)[0];
      expect(await pragma('user_version')).toBe(Math.max(...migrations.map((m) => m.version)));
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('foreign_keys')).toBe(1);
      await db.kysely.insertInto('config').values({ key: 'http_proxy', value: '""' }).execute();
      expect(await db.kysely.selectFrom('config').selectAll().execute()).toEqual([{ key: 'http_proxy', value: '""' }]);
    } finally {
      await db.close();
    }
  });

  it('keeps what was written when the file is opened again, and refuses queries once closed', async () => {
    const file = join(dir, 'region.db');
    const first = await openRegionDatabase({ file });
    await first.kysely.insertInto('config').values({ key: 'default_osystem', value: '"ubuntu"' }).execute();
    await first.close();
    await expect(first.kysely.selectFrom('config').selectAll().execute()).rejects.toThrow();
    const second = await openRegionDatabase({ file });
    try {
      expect(await second.kysely.selectFrom('config').select('value').where('key', '=', 'default_osystem').executeTakeFirst()).toEqual({ value: '"ubuntu"' });
    } finally {
      await second.close();
    }
  });
});
