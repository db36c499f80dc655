import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { capturingLogger } from '@bootsync/testkit/logs';
import { eventually, KERNEL_PATH, startRack, startRegion, type RegionUnderTest } from './rack-harness.js';

const RACKS = ['rack-a', 'rack-b', 'rack-c'];
const MiB = 2 ** 20;

describe('--max-rack-transfers 1, three racks pulling a new image at once', { timeout: 120_000 }, () => {
  const regionLog = capturingLogger('region', 'debug');
  const rackLog = capturingLogger('racks');
  const regionLines = regionLog.lines;
  const rackLines = rackLog.lines;
  let region: RegionUnderTest | undefined;
  const racks: Awaited<ReturnType<typeof startRack>>[] = [];

  afterAll(async () => {
    for (const rack of racks) await rack.cleanup();
    await region?.close();
  });

  it('sends one transfer at a time; the others wait their turn and every rack syncs without a failure', async () => {
    region = await startRegion({ intervalMs: 60_000, maxRackTransfers: 1, logger: regionLog.logger });
    const started = region;
    racks.push(...(await Promise.all(RACKS.map((name) => startRack(started, name, { logger: rackLog.logger })))));
    const allSynced = async (): Promise<true | undefined> => {
      const views = await started.racks.list();
      return views.length === RACKS.length && views.every((r) => r.status === 'synced' && r.lastSync !== null) ? true : undefined;
    };
    await eventually(allSynced, 30_000, 'the three racks synced once, on an empty region');

    // Three blobs per rack, and the racks told at once, as after an import: each rack's downloader asks for its
    // files together, so they meet the limit whatever the timing.
    const files = { 'boot-kernel': randomBytes(2 * MiB), 'boot-initrd': randomBytes(2 * MiB), squashfs: randomBytes(4 * MiB) };
    await started.publishNoble('20250718', files);
    await started.racks.syncAllNow('import');
    await eventually(allSynced, 90_000, 'the three racks synced the new image');

    const transfers = regionLines.filter((l) => l.event === 'racks.transfer.started');
    expect(Math.max(...transfers.map((l) => Number(l.inFlight)))).toBe(1);
    expect(regionLines.filter((l) => l.event === 'racks.transfer.busy').length).toBeGreaterThan(0);
    for (const rack of RACKS) expect(new Set(transfers.filter((l) => l.rack === rack).map((l) => l.sha256)).size).toBe(3);

    expect(regionLines.filter((l) => l.event === 'racks.sync.failed')).toEqual([]);
    expect(rackLines.filter((l) => l.event === 'rack.sync.failed')).toEqual([]);
    for (const view of await started.racks.list()) expect(view.lastError).toBeNull();
    for (const rack of racks) {
      const kernel = await request(`${rack.daemon.url}/images/${KERNEL_PATH}`);
      expect(Buffer.from(await kernel.body.arrayBuffer()).equals(files['boot-kernel'])).toBe(true);
    }
  });
});
