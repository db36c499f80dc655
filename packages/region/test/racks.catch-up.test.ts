import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@bootsync/shared/logging';
import { ContentStore } from '@bootsync/shared/store';
import { testRedisUrl, uniquePrefix } from '@bootsync/testkit/redis';
import { imageStatus } from '@bootsync/region/status';
import { createRepositories, openRegionDatabase } from '../src/db/index.js';
import { failureReason, rackQueueName, resultMessage } from '@bootsync/shared/rack-protocol';
import { RackService } from '../src/racks/index.js';
import { productName } from '../src/region-stream/index.js';
import { deleteKeys, waitFor } from './import-harness.js';

const NOBLE = { name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' };
const VERSION = '20250718';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A region's database with one complete image, and RackServices over it as successive region processes. */
async function regionData(): Promise<{ services: () => RackService; prefix: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bootsync-racks-catch-up-'));
  const db = await openRegionDatabase({ file: join(dir, 'region.db') });
  const repos = createRepositories(db);
  const prefix = uniquePrefix('racks-catch-up');
  cleanups.push(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
    await deleteKeys(prefix);
  });
  const resource = await repos.bootResources.upsert({ rtype: 'synced', ...NOBLE, extra: { subarches: 'generic,ga-24.04', title: 'Ubuntu 24.04 LTS' } });
  const set = await repos.resourceSets.create(resource.id, {
    version: VERSION, label: 'stable', files: [{ filename: 'boot-kernel', filetype: 'boot-kernel', sha256: 'a'.repeat(64), size: 10, bytesDone: 10 }],
  });
  await repos.resourceSets.markComplete(set.id);
  const services = (): RackService =>
    new RackService({
      repos, store: new ContentStore({ root: join(dir, 'store') }), secret: 'not-used-here', redisUrl: testRedisUrl, redisPrefix: prefix,
      syncIntervalMs: 60_000, logger: createLogger('test', { level: 'silent' }), isImporting: async () => false,
    });
  return { services, prefix };
}

describe('a region that was away while a rack finished its sync', () => {
  it.each([
    ['completed', 'synced', 'Synced', null],
    ['failed', 'out-of-sync', 'Waiting for rack controller(s) to sync', 'STORE_CHECKSUM_MISMATCH'],
  ])('reads how the sync ended (%s) from the queue at start-up, not "syncing" until the next one', async (_ending, rackStatus, imageWords, code) => {
    const { services, prefix } = await regionData();
    const before = services();
    await before.start();
    // Registered first: its queue's events are being listened to before the rack picks a job up.
    await before.register('rack-1');
    // The rack's side of its real queue: syncs that end only once the test says so.
    let finish: (() => void) | undefined;
    const released = new Promise<void>((resolve) => (finish = resolve));
    const connection = new Redis(testRedisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker(rackQueueName('rack-1'), async () => {
      await released;
      if (code) throw new Error(failureReason({ code, message: 'boot-kernel does not match its sha256' }));
      return resultMessage({ snapshot: 'snapshot-1', changed: true, bytesFetched: 10, files: 1, images: [{ product: productName(NOBLE), version: VERSION }] });
    }, { connection, prefix });
    const queue = new Queue(rackQueueName('rack-1'), { connection, prefix });
    cleanups.push(async () => {
      finish?.();
      await worker.close();
      await queue.close();
      connection.disconnect();
    });
    await waitFor('the region to see the rack syncing', async () => (await before.racks.find('rack-1'))?.syncing === true);

    await before.stop();
    finish?.();
    await waitFor('the sync to end', async () => (await queue.getActiveCount()) === 0 && (await queue.getWaitingCount()) === 0);
    const after = services();
    cleanups.push(() => after.stop());
    await after.start();

    const [view] = await after.list();
    expect(view).toMatchObject({ name: 'rack-1', status: rackStatus, connected: true });
    expect(view?.lastError?.code ?? null).toBe(code);
    const state = await after.imageRackState(NOBLE, VERSION);
    expect(state?.someRackSyncing).toBe(false);
    expect(imageStatus({ newestSet: { complete: true, bytesDone: 10, totalBytes: 10 }, ...(state ? { racks: state } : {}) })).toBe(imageWords);
  });
});
