import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { redisPrefixFor } from '@bootsync/region/identity';
import { IMPORT_QUEUE } from '@bootsync/region/import';
import { startMisbehavingServer } from '@bootsync/testkit/http';
import { createSignedMirror } from '@bootsync/testkit/mirror';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { eventually, waitFor } from '@bootsync/testkit/wait';
import { partialBytes } from '@bootsync/region/testing';
import { startRegionBin } from './rack-daemons.js';

const MiB = 1024 * 1024;

describe('the import status after a region SIGKILL', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('reads finished as soon as the resumed import ends, and leaves no stalled job to be logged as a failure', { timeout: 100_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bootsync-sigkill-status-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const mirror = await createSignedMirror(join(dir, 'upstream'), { bootloaders: false, centos: false, versions: ['20250718'], sizes: { squashfs: 4 * MiB } });
    const server = await startMisbehavingServer({ root: mirror.root });
    cleanups.push(() => server.close());
    server.faults.set('*', { bytesPerSecond: 1 * MiB });
    const options = { dataDir: join(dir, 'region'), redisUrl: testRedisUrl, sourceUrl: `${server.url}/`, keyring: mirror.keyring.binary };

    const first = await startRegionBin(options);
    cleanups.push(() => first.dropRedisKeys(), () => first.kill());
    // The bin starts, reads and verifies the stream, then downloads: on a loaded machine that can take 15 s and more.
    await waitFor('a partial download', async () => (await partialBytes(join(options.dataDir, 'store'))) > 256 * 1024, 45_000);
    await first.kill();

    server.faults.clear('*');
    const second = await startRegionBin(options);
    cleanups.push(() => second.kill());
    const finished = await eventually(() => second.events().find((e) => e.event === 'import.finished'), 30_000, 'the resumed import');
    expect(finished).toMatchObject({ outcome: 'succeeded' });
    // MAAS clients poll is_importing to know when an import is over: it must not wait for BullMQ's stall check.
    await eventually(async () => ((await second.api('boot-resources/?op=is_importing')) === false ? true : undefined), 2_000, 'is_importing false');
    const status = (await second.api('boot-resources/?op=import_status')) as { importing: boolean };
    expect(status.importing).toBe(false);

    // The dead process's job is gone, not left active for the stall check to fail (and log) 30-60 s from now.
    const regionId = (await readFile(join(options.dataDir, 'region-id'), 'utf8')).trim();
    const connection = new Redis(testRedisUrl, { maxRetriesPerRequest: 1 });
    const queue = new Queue(IMPORT_QUEUE, { connection, prefix: redisPrefixFor(regionId) });
    try {
      expect(await queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'failed')).toEqual({ active: 0, waiting: 0, delayed: 0, prioritized: 0, failed: 0 });
    } finally {
      await queue.close();
      connection.disconnect();
    }
    expect(second.events().filter((e) => e.event === 'import.failed')).toEqual([]);
    expect(second.events().filter((e) => e.event === 'import.stale_job_released')).toHaveLength(1);
  });
});
