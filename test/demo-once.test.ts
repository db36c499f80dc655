import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@bootsync/testkit/net';
import { createTestDatabase } from '@bootsync/testkit/postgres';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { openRegionDatabase } from '@bootsync/region/db';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

interface DemoRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built demo with --once, as `npm run demo -- --once` runs it after the build. */
async function demoOnce(env: Record<string, string>): Promise<DemoRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(repoRoot, 'scripts/dist/demo.js'), '--once'], {
      env: { ...process.env, ...env },
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    // A failed demo keeps its temp dir for the operator; the test has shown its output, so remove it.
    const work = /^Working in (\S+);/m.exec(failed.stdout)?.[1];
    if (work?.startsWith(tmpdir())) await rm(work, { recursive: true, force: true });
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The status table's rows as {IMAGE: ..., REGION: ..., RACK-1: ...}: columns are separated by two spaces or more. */
function tableRows(stdout: string): Record<string, string>[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('IMAGE '));
  if (start < 0) return [];
  const header = lines[start]!.split(/ {2,}/);
  const rows: Record<string, string>[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    const cells = line.split(/ {2,}/);
    rows.push(Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
  }
  return rows;
}

const printed = (stdout: string, pattern: RegExp): string => {
  const found = pattern.exec(stdout)?.[1];
  if (found === undefined) throw new Error(`the demo did not print ${pattern}:\n${stdout}`);
  return found;
};

/** Whether nothing listens any more at the URL's host and port (http:// or redis://). */
function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

/** What every successful run must show: both images Synced everywhere, and nothing left running or on disk. */
async function expectSyncedAndGone(demo: DemoRun): Promise<void> {
  expect(demo.code, demo.stderr).toBe(0);
  const rows = tableRows(demo.stdout);
  for (const release of ['noble', 'jammy']) {
    const row = rows.find((r) => r.IMAGE?.startsWith(`ubuntu/${release} amd64/`));
    expect(row, `a row for ubuntu/${release} in:\n${demo.stdout}`).toBeDefined();
    expect(row).toMatchObject({ REGION: 'Synced', 'RACK-1': 'Synced', 'RACK-2': 'Synced' });
  }
  expect(Number(printed(demo.stdout, /Synced in ([\d.]+) s/))).toBeLessThan(60);
  const work = printed(demo.stdout, /^Working in (\S+);/m);
  expect(existsSync(work)).toBe(false);
  const urls = [printed(demo.stdout, /^Region \w+ at (\S+)/m), ...[...demo.stdout.matchAll(/^Rack rack-\d at (\S+)/gm)].map((m) => m[1]!)];
  expect(urls).toHaveLength(3);
  for (const url of urls) expect(await refusesConnections(url), `${url} still answers`).toBe(true);
}

beforeAll(async () => {
  // The test runs the built demo, as `npm run demo` does; build it (and what it references) if stale.
  await run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', join(repoRoot, 'scripts')]);
}, 120_000);

describe('npm run demo -- --once', () => {
  it('syncs two images to two racks against the shared Redis, prints the table, and leaves no process, file or key', async () => {
    const demo = await demoOnce({ BOOTSYNC_REDIS_URL: testRedisUrl });
    await expectSyncedAndGone(demo);
    const prefix = printed(demo.stdout, /Redis keys (\S+)\*/);
    const redis = new Redis(testRedisUrl);
    try {
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 100_000);

  it('runs the region on PostgreSQL with BOOTSYNC_DATABASE_URL, its images recorded there', async () => {
    const database = await createTestDatabase('demo');
    try {
      const demo = await demoOnce({ BOOTSYNC_REDIS_URL: testRedisUrl, BOOTSYNC_DATABASE_URL: database.url });
      await expectSyncedAndGone(demo);
      const db = await openRegionDatabase({ databaseUrl: database.url });
      try {
        const rows = await db.kysely.selectFrom('boot_resources').select('name').where('name', 'like', 'ubuntu/%').execute();
        expect(new Set(rows.map((r) => r.name))).toEqual(new Set(['ubuntu/jammy', 'ubuntu/noble']));
      } finally {
        await db.close();
      }
    } finally {
      await database.drop();
    }
  }, 100_000);

  it('starts a private redis-server when none answers, and stops it at the end', async () => {
    const port = await freePort();
    const demo = await demoOnce({ BOOTSYNC_REDIS_URL: `redis://127.0.0.1:${port}` });
    await expectSyncedAndGone(demo);
    const privateUrl = printed(demo.stdout, /Started a private redis-server at (\S+)/);
    expect(await refusesConnections(privateUrl)).toBe(true);
  }, 100_000);

  it('without Redis and without redis-server, says how to install one and exits 2', async () => {
    const port = await freePort();
    const demo = await demoOnce({ BOOTSYNC_REDIS_URL: `redis://127.0.0.1:${port}`, PATH: '/nonexistent' });
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain('sudo apt-get install redis-server');
    expect(demo.stderr).toContain(`redis://127.0.0.1:${port}`);
    expect(existsSync(printed(demo.stdout, /^Working in (\S+);/m))).toBe(false);
  }, 30_000);
});
