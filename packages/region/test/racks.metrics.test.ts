import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@bootsync/shared/logging';
import { ContentStore } from '@bootsync/shared/store';
import { testRedisUrl, uniquePrefix } from '@bootsync/testkit/redis';
import { createRepositories, openRegionDatabase, type RegionDatabase } from '../src/db/index.js';
import { createRegionMetrics, type RegionMetrics } from '../src/metrics/index.js';
import { RackService } from '../src/racks/index.js';
import { deleteKeys } from './import-harness.js';

const prefix = uniquePrefix('racks-metrics');
const INTERVAL_MS = 60_000;
let dir: string;
let db: RegionDatabase;
let racks: RackService;
let metrics: RegionMetrics;
let importing = false;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bootsync-racks-metrics-'));
  db = await openRegionDatabase({ file: join(dir, 'region.db') });
  metrics = createRegionMetrics();
  racks = new RackService({
    repos: createRepositories(db), store: new ContentStore({ root: join(dir, 'store') }), secret: 'not-used-here',
    redisUrl: testRedisUrl, redisPrefix: prefix, syncIntervalMs: INTERVAL_MS, logger: createLogger('test', { level: 'silent' }),
    isImporting: async () => importing, metrics: metrics.racks,
  });
  await racks.start();
});

afterAll(async () => {
  await racks?.stop();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
  await deleteKeys(prefix);
});

/** The rack series of a /metrics scrape, as Prometheus reads them: `name{labels} value`. */
async function rackSeries(): Promise<string[]> {
  const text = await metrics.registry.metrics();
  return text.split('\n').filter((l) => /^bootsync_region_rack_/.test(l)).sort();
}

const statusLines = (rack: string, current: string): string[] =>
  ['out-of-sync', 'region-importing', 'synced', 'syncing', 'unknown'].map(
    (s) => `bootsync_region_rack_status{rack="${rack}",status="${s}"} ${s === current ? 1 : 0}`,
  );

describe('per-rack status metrics on the region', () => {
  it('has no rack series before any rack registers', async () => {
    expect(await rackSeries()).toEqual([]);
  });

  it('shows each rack at 1 on its current status, and when it last synced', async () => {
    await racks.register('rack-a');
    await racks.register('rack-b');
    const synced = '2025-07-18T10:00:00.000Z';
    await racks.racks.syncSucceeded('rack-a', { snapshot: 'snapshot-1', changed: true, bytesFetched: 0, files: 0, images: [] }, synced);
    await racks.racks.seen('rack-a', new Date().toISOString());
    await racks.racks.syncStarted('rack-b', new Date().toISOString());

    expect(await rackSeries()).toEqual(
      [
        `bootsync_region_rack_last_sync_timestamp_seconds{rack="rack-a"} ${Date.parse(synced) / 1000}`,
        ...statusLines('rack-a', 'synced'),
        ...statusLines('rack-b', 'syncing'),
      ].sort(),
    );
  });

  it('follows status changes that come with time or the region, not only rack events', async () => {
    importing = true;
    expect(await rackSeries()).toEqual(expect.arrayContaining([...statusLines('rack-a', 'region-importing'), ...statusLines('rack-b', 'region-importing')]));
    importing = false;
    await racks.racks.seen('rack-b', new Date(Date.now() - 3 * INTERVAL_MS).toISOString());
    expect(await rackSeries()).toEqual(expect.arrayContaining(statusLines('rack-b', 'unknown')));
  });

  it('drops a deregistered rack\'s series', async () => {
    await racks.deregister('rack-b');
    const series = await rackSeries();
    expect(series.some((l) => l.includes('rack-b'))).toBe(false);
    expect(series).toEqual(expect.arrayContaining(statusLines('rack-a', 'synced')));
  });
});
