import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger } from '@bootsync/testkit/logs';
import { startPrivateRedis } from '@bootsync/testkit/redis';
import { waitFor } from '@bootsync/testkit/wait';
import { startRegion } from '../src/daemon.js';
import { tempDir, testRegionOptions } from './daemon-harness.js';

describe('the region daemon when its Redis goes away and comes back', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('logs the outage when it begins and when it ends, and /readyz follows', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(redis.stop);
    const dir = await tempDir('redis-outage');
    cleanups.push(dir.remove);
    const { logger, lines } = capturingLogger('region');
    const region = await startRegion(await testRegionOptions(dir.path, { redisUrl: redis.url }), logger);
    cleanups.push(region.stop);
    const ready = async (): Promise<number> => (await fetch(`${region.url}/readyz`)).status;
    await waitFor('the region ready', async () => (await ready()) === 200);
    const outage = (): string[] => lines.map((l) => String(l.event)).filter((e) => /^region\.redis/.test(e));

    await redis.stop();
    await waitFor('the outage logged', () => outage().length > 0);
    expect(await ready()).toBe(503);
    await redis.restart();
    await waitFor('the way back logged', () => outage().length > 1);
    expect(outage()).toEqual(['region.redis_unavailable', 'region.redis.restored']);
    expect(lines.find((l) => l.event === 'region.redis.restored')).toMatchObject({ failures: expect.any(Number), ms: expect.any(Number) });
    await waitFor('the region ready again', async () => (await ready()) === 200);
  }, 30_000);
});
