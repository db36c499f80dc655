import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { partialBytes } from '@bootsync/region/testing';
import { newBlobBytes, rackMetric, startRackScene, wholeCurrent, type RackScene } from './rack-daemons.js';

const MiB = 1024 * 1024;
let scene: RackScene;

beforeAll(async () => {
  scene = await startRackScene({ rack: 'rack-killed', redisUrl: testRedisUrl, squashfsBytes: 4 * MiB });
}, 60_000);
afterAll(async () => scene?.close());

/** Checks `current` over and over while a sync runs; the first problem found, if any. */
function watchCurrent(dataDir: string): { stop(): Promise<unknown> } {
  let running = true;
  const watching = (async () => {
    while (running) {
      await wholeCurrent(dataDir);
      await new Promise((r) => setTimeout(r, 10));
    }
  })().catch((err: unknown) => err);
  return {
    async stop() {
      running = false;
      return watching;
    },
  };
}

describe('a rack SIGKILLed mid-sync', () => {
  it('keeps a whole current snapshot, and once restarted resumes its partial and publishes the new set', async () => {
    const { rackDir } = scene;
    const before = (await wholeCurrent(rackDir))!;
    const watcher = watchCurrent(rackDir);
    await scene.newVersion('20250801', 1 * MiB);
    await scene.partialOnRack(512 * 1024);
    await scene.rack.kill();
    expect((await wholeCurrent(rackDir))?.name).toBe(before.name);
    const kept = await partialBytes(join(rackDir, 'cache'));

    scene.throttle.setRate(undefined);
    await scene.restartRack();
    const after = await scene.newSnapshotReported(before);
    expect(await watcher.stop()).toBeUndefined();
    // The restarted rack fetched only what the killed one had not stored yet.
    const fetched = await rackMetric(scene.rack, 'bootsync_rack_bytes_fetched_total');
    expect(kept).toBeGreaterThan(0);
    expect(fetched).toBeGreaterThan(0);
    expect(fetched).toBeLessThanOrEqual(newBlobBytes(before, after) - kept);
    // Its new token is the one the region accepts: no sync of the restarted rack was refused.
    expect(scene.rack.events().filter((e) => e.event === 'rack.sync.failed')).toEqual([]);
    expect((await readdir(rackDir)).filter((e) => e.endsWith('.partial'))).toEqual([]);
  }, 60_000);
});
