import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@bootsync/shared/logging';
import { ContentStore } from '@bootsync/shared/store';
import { KEEP_FINISHED_JOBS, rackQueueName, resultMessage } from '@bootsync/shared/rack-protocol';
import { startPrivateRedis, type PrivateRedis } from '@bootsync/testkit/redis';
import { waitFor } from '@bootsync/testkit/wait';
import { createRepositories, openRegionDatabase } from '../src/db/index.js';
import { RackService } from '../src/racks/index.js';
import { scheduleOffset } from '../src/racks/rack-queues.js';

const PREFIX = 'bootsync:region:queues-test';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A region's rack service on a Redis of this test's own, so its connections and keys can be counted exactly. */
async function regionWithRacks(): Promise<{ racks: RackService; redis: PrivateRedis; probe: Redis }> {
  const redis = await startPrivateRedis();
  const dir = mkdtempSync(join(tmpdir(), 'bootsync-racks-queues-'));
  const db = await openRegionDatabase({ file: join(dir, 'region.db') });
  const racks = new RackService({
    repos: createRepositories(db), store: new ContentStore({ root: join(dir, 'store') }), secret: 'not-used-here', redisUrl: redis.url,
    redisPrefix: PREFIX, syncIntervalMs: 300_000, logger: createLogger('test', { level: 'silent' }), isImporting: async () => false,
  });
  const probe = new Redis(redis.url);
  cleanups.push(async () => {
    probe.disconnect();
    await racks.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
    await redis.stop();
  });
  await racks.start();
  return { racks, redis, probe };
}

/** Each rack's side of its queue: a worker answering every sync at once, all on one connection. */
function fastRacks(url: string, names: readonly string[]): { syncs: Map<string, number> } {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  connection.setMaxListeners(0);
  const syncs = new Map(names.map((n) => [n, 0]));
  const workers = names.map(
    (name) =>
      new Worker(rackQueueName(name), async () => {
        syncs.set(name, (syncs.get(name) ?? 0) + 1);
        return resultMessage({ snapshot: 'snapshot-1', changed: true, bytesFetched: 0, files: 0, images: [] });
      }, { connection, prefix: PREFIX }),
  );
  cleanups.push(async () => {
    await Promise.all(workers.map((w) => w.close()));
    connection.disconnect();
  });
  return { syncs };
}

const clients = async (probe: Redis): Promise<number> => Number(/^connected_clients:(\d+)/m.exec(await probe.info('clients'))?.[1]);

describe('the racks of a region on Redis', () => {
  it('hears every rack finish its first sync, racks registering at once with their workers already waiting', async () => {
    const { racks, redis } = await regionWithRacks();
    const names = Array.from({ length: 40 }, (_, i) => `rack-${i + 1}`);
    fastRacks(redis.url, names);
    await Promise.all(names.map((name) => racks.register(name)));
    // A sync's "completed" missed would leave the rack reading "syncing" (or never synced) until its next sync.
    await waitFor('every rack to read synced', async () => (await racks.list()).every((r) => r.status === 'synced' && r.lastSync !== null), 20_000);
  });

  it('runs an immediate sync asked for while one is under way after it: an import ending mid-sync is not lost', async () => {
    const { racks, redis } = await regionWithRacks();
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const reasons: string[] = [];
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const worker = new Worker(rackQueueName('busy'), async (job) => {
      reasons.push(String((job.data as { reason?: unknown }).reason));
      // The first sync read the stream before the import ended, and is still under way when it does.
      if (reasons.length === 1) await released;
      return resultMessage({ snapshot: 'snapshot-1', changed: true, bytesFetched: 0, files: 0, images: [] });
    }, { connection, prefix: PREFIX });
    cleanups.push(async () => {
      await worker.close();
      connection.disconnect();
    });
    await racks.register('busy');
    await waitFor('the registration sync under way', async () => reasons.length === 1, 10_000);
    await racks.onImportFinished({ changed: true });
    release();
    // The next scheduled sync is 5 minutes away: only the import's own sync can come now.
    await waitFor('a sync for the import', async () => reasons.length === 2, 10_000);
    expect(reasons).toEqual(['registration', 'import']);
  });

  it('reads every rack\'s queue events on one connection, not one (or two) per rack', async () => {
    const { racks, redis, probe } = await regionWithRacks();
    const before = await clients(probe);
    const names = Array.from({ length: 30 }, (_, i) => `rack-${i + 1}`);
    for (const name of names) await racks.register(name);
    // The rack service's connection and the event reader's (it exists from the first rack on).
    expect((await clients(probe)) - before).toBeLessThanOrEqual(1);
    fastRacks(redis.url, names);
    await waitFor('every rack to read synced', async () => (await racks.list()).every((r) => r.status === 'synced'), 20_000);
  });

  it('keeps a bounded history per rack: a few finished jobs and ~100 events, however many syncs', async () => {
    const { racks, redis, probe } = await regionWithRacks();
    await racks.register('busy');
    const { syncs } = fastRacks(redis.url, ['busy']);
    for (let i = 0; i < 40; i++) {
      const done = syncs.get('busy') ?? 0;
      await racks.importBootImages('busy');
      await waitFor(`sync ${i + 1}`, () => (syncs.get('busy') ?? 0) > done);
    }
    await waitFor('the last sync recorded', async () => (await racks.get('busy')).status === 'synced');
    const queue = new Queue(rackQueueName('busy'), { connection: probe, prefix: PREFIX });
    try {
      expect(await queue.getCompletedCount()).toBe(KEEP_FINISHED_JOBS.count);
      // BullMQ trims approximately, a whole block of 100 entries at a time; 40 syncs wrote about 300.
      expect(await probe.xlen(queue.toKey('events'))).toBeLessThanOrEqual(200);
    } finally {
      await queue.close();
    }
  });
});

describe('scheduleOffset', () => {
  it('spreads racks evenly over the interval, the same for a rack each time', () => {
    const interval = 300_000;
    const names = Array.from({ length: 1000 }, (_, i) => `rack-${i + 1}`);
    const offsets = names.map((n) => scheduleOffset(n, interval));
    expect(offsets.every((o) => Number.isInteger(o) && o >= 0 && o < interval)).toBe(true);
    expect(scheduleOffset('rack-7', interval)).toBe(offsets[6]);
    // Ten 30-second slices: none holds fewer than half or more than twice its share.
    const slices = Array.from({ length: 10 }, (_, s) => offsets.filter((o) => Math.floor(o / 30_000) === s).length);
    for (const count of slices) expect(count).toBeGreaterThan(50);
    for (const count of slices) expect(count).toBeLessThan(200);
  });
});
