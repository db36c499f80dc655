import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@bootsync/testkit/postgres';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { REGION_BIN } from './daemon-bins.js';
import { eventually } from './rack-harness.js';
import { imagesRead, rackController, startRackScene, wholeCurrent, type RackScene } from './rack-daemons.js';

const run = promisify(execFile);
let scene: RackScene;
let database: TestDatabase;

/** `bootsync-region migrate-db` as an operator runs it: its exit code, and what it printed. */
async function migrateDb(fromSqlite: string, databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [REGION_BIN, 'migrate-db', '--from-sqlite', fromSqlite, '--database-url', databaseUrl]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  scene = await startRackScene({ rack: 'rack-moved', redisUrl: testRedisUrl, squashfsBytes: 256 * 1024 });
  database = await createTestDatabase('migrate-db-bins');
}, 60_000);
afterAll(async () => {
  await scene?.close();
  await database?.drop();
});

describe('bootsync-region migrate-db', () => {
  it('moves a SQLite region with a synced rack to PostgreSQL; the region goes on there and the rack keeps syncing', async () => {
    const regionDb = join(scene.dir, 'region', 'region.db');
    const apiKey = scene.region.apiKey;
    const sources = await scene.region.api('boot-sources/');
    const before = (await wholeCurrent(scene.rackDir))!;
    await scene.region.kill();

    const migrated = await migrateDb(regionDb, database.url);
    expect(migrated.code, migrated.stderr).toBe(0);
    const rows = Object.fromEntries(migrated.stdout.trim().split('\n').map((line) => line.split(' ') as [string, string]));
    expect(Object.keys(rows)).toEqual(expect.arrayContaining(['boot_sources', 'selections', 'boot_resources', 'resource_files', 'racks', 'api_keys', 'region_identity']));
    expect(Number(rows.racks)).toBe(1);

    const region = await scene.restartRegion({ databaseUrl: database.url });
    // The same admin key, sources, images and rack, and the same secret racks present.
    expect(region.apiKey).toBe(apiKey);
    expect(await region.api('boot-sources/')).toEqual(sources);
    expect(await imagesRead(region, 'Synced')).toBe(true);
    expect((await readFile(region.secretFile, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);

    // A new version reaches the rack through the region now on PostgreSQL: its token and the secret were kept.
    await scene.newVersion('20250801', undefined);
    const after = await scene.newSnapshotReported(before);
    expect(after.name).not.toBe(before.name);
    await eventually(async () => ((await rackController(region, 'rack-moved')).image_sync_status === 'synced' ? true : undefined), 20_000, 'the rack synced');

    // Into a database that now holds a region: refused, saying why, exit 2.
    const again = await migrateDb(regionDb, database.url);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already holds a region (rows in boot_sources');
    expect(again.stderr).toContain('migrate-db copies into an empty database only');
    expect(existsSync(regionDb)).toBe(true);
  }, 90_000);
});
