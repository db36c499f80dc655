import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { capturingLogger, type LogLine as Line } from '@bootsync/testkit/logs';
import { eventually, startRack, startRegion, type RegionUnderTest } from './rack-harness.js';
import { startPrivateRedis } from './rack-daemons.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('Redis down under a region and a rack', () => {
  it('each logs the outage once (not once per reconnection attempt) and once more when Redis is back', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const { logger: regionLogger, lines: regionLines } = capturingLogger('outage-test');
    const { logger: rackLogger, lines: rackLines } = capturingLogger('outage-test');
    const region: RegionUnderTest = await startRegion({ intervalMs: 60_000, redisUrl: redis.url, logger: regionLogger });
    cleanups.push(() => region.close());
    const rack = await startRack(region, 'rack-outage', { redisUrl: redis.url, logger: rackLogger });
    cleanups.push(() => rack.cleanup());

    await redis.stop();
    // ioredis retries every 50, 100, 150... ms: some ten attempts per connection in three seconds.
    await sleep(3_000);
    const events = (lines: Line[], pattern: RegExp): string[] => lines.map((l) => String(l.event)).filter((e) => pattern.test(e));
    expect(events(regionLines, /^racks\.redis\./)).toEqual(['racks.redis.error']);
    expect(events(rackLines, /^rack\.(redis|worker)\./)).toEqual(['rack.redis.error']);
    expect(rackLines.find((l) => l.event === 'rack.redis.error')).toMatchObject({ rack: 'rack-outage', failures: 1, err: expect.objectContaining({ message: expect.any(String) }) });

    await redis.restart();
    await eventually(() => (events(regionLines, /^racks\.redis\.restored$/).length === 1 ? true : undefined), 10_000, 'racks.redis.restored');
    await eventually(() => (events(rackLines, /^rack\.redis\.restored$/).length === 1 ? true : undefined), 10_000, 'rack.redis.restored');
    const restored = rackLines.find((l) => l.event === 'rack.redis.restored');
    expect(restored).toMatchObject({ rack: 'rack-outage', failures: expect.any(Number), ms: expect.any(Number) });
    expect(restored!.failures as number).toBeGreaterThan(3);
    expect(restored!.ms as number).toBeGreaterThanOrEqual(3_000);
  }, 60_000);
});
