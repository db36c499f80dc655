import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@bootsync/shared/logging';
import { ContentStore } from '@bootsync/shared/store';
import { testRedisUrl, uniquePrefix } from '@bootsync/testkit/redis';
import { createRepositories, openRegionDatabase, type RegionDatabase, type Repositories } from '../src/db/index.js';
import { rackQueueName, resultMessage, type SyncJobData } from '@bootsync/shared/rack-protocol';
import { RackService } from '../src/racks/index.js';
import { productName } from '../src/region-stream/index.js';
import { maasCall, startApi, type ApiHarness } from './api-harness.js';
import { waitFor } from './import-harness.js';

const prefix = uniquePrefix('racks-api');
const NOBLE = { name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' };
let dir: string;
let db: RegionDatabase;
let repos: Repositories;
let racks: RackService;
let api: ApiHarness;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bootsync-racks-api-'));
  db = await openRegionDatabase({ file: join(dir, 'region.db') });
  repos = createRepositories(db);
  racks = new RackService({
    repos, store: new ContentStore({ root: join(dir, 'store') }), secret: 'not-used-here', redisUrl: testRedisUrl, redisPrefix: prefix,
    syncIntervalMs: 60_000, logger: createLogger('test', { level: 'silent' }), isImporting: async () => false,
  });
  await racks.start();
  api = await startApi({ racks }, { repos });
  const resource = await repos.bootResources.upsert({ rtype: 'synced', ...NOBLE, extra: { subarches: 'generic,ga-24.04', title: 'Ubuntu 24.04 LTS', kflavor: 'generic' } });
  const set = await repos.resourceSets.create(resource.id, {
    version: '20250718', label: 'stable', files: [{ filename: 'boot-kernel', filetype: 'boot-kernel', sha256: 'a'.repeat(64), size: 10, bytesDone: 10 }],
  });
  await repos.resourceSets.markComplete(set.id);
});

afterAll(async () => {
  await api?.close();
  await racks?.stop();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
  const redis = new Redis(testRedisUrl);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const statusOf = async (): Promise<string> => ((await maasCall(api, 'GET', 'boot-resources/')).json() as { status: string }[])[0]!.status;

describe('racks through the MAAS API', () => {
  it('words an image by where its racks stand: waiting, syncing, synced', async () => {
    expect(await statusOf()).toBe('Synced'); // no rack to wait for
    await racks.register('rack-1');
    expect(await statusOf()).toBe('Waiting for rack controller(s) to sync');
    await racks.racks.syncStarted('rack-1', new Date().toISOString());
    expect(await statusOf()).toBe('Syncing to rack controller(s)');
    const images = [{ product: productName(NOBLE), version: '20250718' }];
    await racks.racks.syncSucceeded('rack-1', { snapshot: 'snapshot-x', changed: true, bytesFetched: 10, files: 1, images }, new Date().toISOString());
    expect(await statusOf()).toBe('Synced');
    const one = (await maasCall(api, 'GET', 'boot-resources/1/')).json() as { status: string };
    expect(one.status).toBe('Synced');
  });

  it('reads rack controllers and their boot images as maas rack-controllers read / list-boot-images show them', async () => {
    const list = (await maasCall(api, 'GET', 'rackcontrollers/')).json() as Record<string, unknown>[];
    expect(list).toEqual([expect.objectContaining({ system_id: 'rack-1', connected: true, image_sync_status: 'synced' })]);
    // MAAS 3.4's shape: a bare architecture, the subarch directories the rack has (ga-24.04 and its generic link).
    const images = await maasCall(api, 'GET', 'rackcontrollers/rack-1/?op=list_boot_images');
    expect(images.json()).toEqual({ images: [{ name: 'ubuntu/noble', architecture: 'amd64', subarches: ['ga-24.04', 'generic'] }], connected: true, status: 'synced' });
  });

  it('lists no images of a rack that is not connected, with status unknown, as MAAS does when it cannot ask it', async () => {
    await racks.register('rack-away');
    const images = [{ product: productName(NOBLE), version: '20250718' }];
    await racks.racks.syncSucceeded('rack-away', { snapshot: 'snapshot-x', changed: true, bytesFetched: 10, files: 1, images }, new Date().toISOString());
    await db.kysely.updateTable('racks').set({ last_seen: new Date(Date.now() - 3_600_000).toISOString() }).where('name', '=', 'rack-away').execute();
    const answer = await maasCall(api, 'GET', 'rackcontrollers/rack-away/?op=list_boot_images');
    expect(answer.json()).toEqual({ images: [], connected: false, status: 'unknown' });
    expect((await maasCall(api, 'DELETE', 'rackcontrollers/rack-away/')).statusCode).toBe(204);
  });

  it('deregisters a rack with DELETE: its record, its scheduler and its queue go', async () => {
    const connection = new Redis(testRedisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(rackQueueName('rack-1'), { connection, prefix });
    try {
      expect(await queue.getJobSchedulers()).toHaveLength(1);
      expect((await maasCall(api, 'DELETE', 'rackcontrollers/rack-1/')).statusCode).toBe(204);
      expect((await maasCall(api, 'GET', 'rackcontrollers/rack-1/')).statusCode).toBe(404);
      expect(await queue.getJobSchedulers()).toEqual([]);
      expect(await queue.getJobCounts('waiting', 'delayed', 'prioritized')).toEqual({ waiting: 0, delayed: 0, prioritized: 0 });
      expect(await statusOf()).toBe('Synced');
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('rack-controllers import-boot-images syncs every rack now, rack-controller import-boot-images NAME that one', async () => {
    // Each rack's side of its real queue: a worker that records why it was asked to sync.
    const synced: string[] = [];
    const workers = ['rack-2', 'rack-3'].map((name) => {
      const connection = new Redis(testRedisUrl, { maxRetriesPerRequest: null });
      const worker = new Worker<SyncJobData>(rackQueueName(name), async (job) => {
        synced.push(`${name} ${job.data.reason}`);
        return resultMessage({ snapshot: 'snapshot-x', changed: false, bytesFetched: 0, files: 0, images: [] });
      }, { connection, prefix });
      return { worker, connection };
    });
    const rack3 = new Queue<SyncJobData>(rackQueueName('rack-3'), { connection: workers[1]!.connection, prefix });
    const manualJobs = async (queue: Queue<SyncJobData>): Promise<number> =>
      (await queue.getJobs(['waiting', 'active', 'prioritized', 'delayed', 'completed', 'failed'])).filter((j) => j.data.reason === 'manual').length;
    try {
      await racks.register('rack-2');
      await racks.register('rack-3');
      await waitFor('the registration syncs', () => synced.filter((s) => s.endsWith(' registration')).length >= 2);
      const manual = (name: string): number => synced.filter((s) => s === `${name} manual`).length;

      const all = await maasCall(api, 'POST', 'rackcontrollers/?op=import_boot_images');
      expect(all.statusCode).toBe(200);
      expect(all.headers['content-type']).toMatch(/^text\/plain/);
      expect(all.body).toBe('Import of boot images started on all rack controllers');
      // "manual" is the API's reason alone (the schedule's, every 60 s, is "schedule"): no time bound is needed.
      await waitFor('both racks to sync', () => manual('rack-2') === 1 && manual('rack-3') === 1);

      const one = await maasCall(api, 'POST', 'rackcontrollers/rack-2/?op=import_boot_images');
      expect(one.statusCode).toBe(200);
      expect(one.body).toBe('Import of boot images started on rack-2');
      // Queued before the API answered, had it been queued at all (the queue keeps its last finished jobs).
      expect(await manualJobs(rack3)).toBe(1);
      await waitFor('rack-2 to sync again', () => manual('rack-2') === 2);
      expect(manual('rack-3')).toBe(1);

      expect((await maasCall(api, 'POST', 'rackcontrollers/rack-9/?op=import_boot_images')).statusCode).toBe(404);
      const describe = (await api.app.inject({ method: 'GET', url: '/MAAS/api/2.0/describe/' })).json() as {
        resources: { auth: { name: string; actions: { name: string; op: string; method: string; doc: string }[] } }[];
      };
      for (const handler of ['RackControllersHandler', 'RackControllerHandler']) {
        const action = describe.resources.find((r) => r.auth.name === handler)?.auth.actions.find((a) => a.name === 'import_boot_images');
        expect(action, handler).toMatchObject({ op: 'import_boot_images', method: 'POST' });
        expect(action?.doc).not.toMatch(/:param/);
      }
    } finally {
      await rack3.close();
      for (const { worker, connection } of workers) {
        await worker.close();
        connection.disconnect();
      }
    }
  });

  it('a registering rack syncs at once, and no other rack syncs for it', async () => {
    const connection = new Redis(testRedisUrl, { maxRetriesPerRequest: null });
    const reasons = new Map<string, string[]>();
    const workers = ['rack-4', 'rack-5'].map((name) => {
      reasons.set(name, []);
      return new Worker<SyncJobData>(rackQueueName(name), async (job) => {
        reasons.get(name)?.push(job.data.reason);
        return resultMessage({ snapshot: 'snapshot-x', changed: false, bytesFetched: 0, files: 0, images: [] });
      }, { connection, prefix });
    });
    const rack4 = new Queue(rackQueueName('rack-4'), { connection, prefix });
    const idle = async (queue: Queue): Promise<boolean> => Object.values(await queue.getJobCounts('waiting', 'active', 'prioritized')).every((n) => n === 0);
    try {
      await racks.register('rack-4');
      await waitFor('rack-4 to sync at registration', async () => reasons.get('rack-4')?.includes('registration') === true && (await idle(rack4)));
      const before = [...(reasons.get('rack-4') ?? [])];
      await racks.register('rack-5');
      // Queued before register() returned, had it been queued at all.
      expect(await idle(rack4)).toBe(true);
      await waitFor('rack-5 to sync at registration', () => reasons.get('rack-5')?.includes('registration') === true);
      expect(reasons.get('rack-4')).toEqual(before);
    } finally {
      for (const worker of workers) await worker.close();
      await rack4.close();
      connection.disconnect();
    }
  });
});
