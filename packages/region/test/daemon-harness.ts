import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { regionOptions, type RegionOptions } from '@bootsync/region/config';
import { resolveConfig } from '@bootsync/shared/config';
import { createLogger, type Logger } from '@bootsync/shared/logging';
import { testDatabaseUrlFor } from './test-database.js';

export async function tempDir(label: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `bootsync-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Region options for an in-process region: defaults, a temp data dir, a free port on 127.0.0.1, the test Redis, and
 * in the `postgres` project a database of the data dir's own (the same one each time the region starts on it).
 */
export async function testRegionOptions(dataDir: string, overrides: Partial<RegionOptions> = {}): Promise<RegionOptions> {
  const { values } = resolveConfig(regionOptions, { flags: { dataDir, listen: '127.0.0.1:0', redisUrl: testRedisUrl } });
  const databaseUrl = await testDatabaseUrlFor(dataDir);
  return { ...values, ...(databaseUrl !== undefined && { databaseUrl }), ...overrides };
}

/** A logger that keeps test output quiet. */
export const quietLogger: Logger = createLogger('bootsync-region-test', { level: 'silent', destination: pino.destination(2) });
