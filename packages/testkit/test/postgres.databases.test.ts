import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, createTestSchema, testDialect, testPostgresUrl } from '@bootsync/testkit/postgres';

async function query<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const databaseExists = async (name: string): Promise<boolean> =>
  (await query(testPostgresUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1;

describe('test databases on the test PostgreSQL', () => {
  it('creates a uniquely named empty database and drops it, connections left open or not', async () => {
    const [a, b] = await Promise.all([createTestDatabase('same label'), createTestDatabase('same label')]);
    expect(a.name).not.toBe(b.name);
    expect(a.name).toMatch(/^bst_same_label_[0-9a-f]{12}$/);
    expect(await query(a.url, 'SELECT current_database() AS name')).toEqual([{ name: a.name }]);
    expect(await query(a.url, `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).toEqual([{ n: 0 }]);

    // A test that fails before closing its connection must not keep its database.
    const leftOpen = new pg.Client({ connectionString: a.url });
    leftOpen.on('error', () => undefined);
    await leftOpen.connect();
    await a.drop();
    await b.drop();
    expect(await databaseExists(a.name)).toBe(false);
    expect(await databaseExists(b.name)).toBe(false);
    await leftOpen.end().catch(() => undefined);
  });

  it('gives a schema of its own, which its URL makes the one tables are made in', async () => {
    const database = await createTestDatabase('schemas');
    try {
      const [one, two] = [await createTestSchema(database.url), await createTestSchema(database.url)];
      await query(one.url, 'CREATE TABLE t (x int)');
      await query(one.url, 'INSERT INTO t VALUES (1)');
      expect(await query(one.url, 'SELECT x FROM t')).toEqual([{ x: 1 }]);
      expect(await query(database.url, 'SELECT schemaname FROM pg_tables WHERE tablename = $1', ['t'])).toEqual([{ schemaname: one.name }]);
      await expect(query(two.url, 'SELECT x FROM t')).rejects.toThrow(/relation "t" does not exist/);
    } finally {
      await database.drop();
    }
  });

  it('reads the dialect of the region harnesses from BOOTSYNC_TEST_DATABASE, refusing anything else', () => {
    expect(testDialect({})).toBe('sqlite');
    expect(testDialect({ BOOTSYNC_TEST_DATABASE: 'postgres' })).toBe('postgres');
    expect(() => testDialect({ BOOTSYNC_TEST_DATABASE: 'mysql' })).toThrow('BOOTSYNC_TEST_DATABASE=mysql: expected sqlite or postgres');
  });
});
