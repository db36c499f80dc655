import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './rack-harness.js';
import { rackController, startPrivateRedis, startRackScene, wholeCurrent, type RackScene } from './rack-daemons.js';

let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
let scene: RackScene;

beforeAll(async () => {
  // A Redis of our own that keeps nothing: restarting it loses every queue, job and scheduler.
  redis = await startPrivateRedis();
  scene = await startRackScene({ rack: 'rack-redis', redisUrl: redis.url, squashfsBytes: 256 * 1024 });
}, 60_000);
afterAll(async () => {
  await scene?.close();
  await redis?.stop();
});

describe('Redis restarted under a region and a rack', () => {
  it('workers and schedulers recover: the rack syncs on schedule and after an import, with no daemon restarted', async () => {
    const before = (await wholeCurrent(scene.rackDir))!;
    await redis.restart();
    const restartedAt = new Date().toISOString();
    // The scheduler came back by itself (every 2 s here): a scheduled sync completes and the region records it.
    await eventually(async () => {
      const rack = await rackController(scene.region, 'rack-redis');
      return rack.last_image_sync !== null && rack.last_image_sync > restartedAt && rack.image_sync_status === 'synced' ? true : undefined;
    }, 30_000, 'a sync recorded after the Redis restart');

    await scene.newVersion('20250801', undefined);
    const after = await scene.newSnapshotReported(before);
    expect(after.plan.files.some((f) => f.ref.version === '20250801')).toBe(true);
    expect(scene.rack.child.exitCode).toBeNull();
    expect(scene.region.child.exitCode).toBeNull();
  }, 60_000);
});
