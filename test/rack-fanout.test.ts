import { readFile } from 'node:fs/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { capturingLogger, type LogLine } from '@bootsync/testkit/logs';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWithRegion } from '@bootsync/shared/rack-protocol';
import { eventually, silent, startRack, startRegion, type RegionUnderTest } from './rack-harness.js';

let region: RegionUnderTest;
/** The region's log: each sync a rack completes is a line. */
let regionLog: LogLine[];
const racks: Awaited<ReturnType<typeof startRack>>[] = [];

beforeAll(async () => {
  const { logger, lines } = capturingLogger('fanout-test');
  regionLog = lines;
  region = await startRegion({ intervalMs: 1_000, logger });
  await region.publishNoble('20250101', { 'boot-kernel': Buffer.from('k'.repeat(300_000)), squashfs: Buffer.from('s'.repeat(900_000)) });
}, 30_000);
afterAll(async () => {
  for (const r of racks) await r.cleanup();
  await region?.close();
});

describe('several racks, one region', () => {
  it('three racks sync at once and all read synced', async () => {
    racks.push(...(await Promise.all(['r1', 'r2', 'r3'].map((n) => startRack(region, n)))));
    const views = await eventually(async () => {
      const list = await region.racks.list();
      return list.length === 3 && list.every((r) => r.status === 'synced') ? list : undefined;
    }, 20_000, 'three racks synced');
    expect(views.map((v) => v.name)).toEqual(['r1', 'r2', 'r3']);
    expect(await region.racks.imageRackState({ name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' }, '20250101')).toEqual({ allRacksHaveIt: true, someRackSyncing: false });
  });

  it('a rack away for several intervals finds at most two jobs waiting, reads unknown, and holds no image back', async () => {
    const secret = (await readFile(region.secretFile, 'utf8')).trim();
    const completed = (rack: string): number => regionLog.filter((l) => l.event === 'racks.sync.completed' && l.rack === rack).length;
    const before = completed('r1');
    const away = await registerWithRegion({ regionUrl: region.url, name: 'away', secret, secretFile: region.secretFile, logger: silent });
    // Several intervals, counted by a scheduler that runs beside the away rack's: r1's, on the same 1 s interval,
    // starts each of its jobs in an interval of its own, so six more syncs of r1 span at least three intervals.
    await eventually(() => (completed('r1') >= before + 6 ? true : undefined), 20_000, 'six more scheduled syncs of r1');
    // Unseen since it registered: unknown (polled, the bound above being a lower one).
    await eventually(async () => ((await region.racks.get('away')).status === 'unknown' ? true : undefined), 10_000, 'the away rack unknown');
    const connection = new Redis(testRedisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(away.queue, { connection, prefix: away.prefix });
    try {
      const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    // The three racks pull every second, so one may be in a (no-op) sync right now: only what they hold counts here.
    expect((await region.racks.imageRackState({ name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' }, '20250101'))?.allRacksHaveIt).toBe(true);
  }, 40_000);
});
