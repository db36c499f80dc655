import { Redis } from 'ioredis';
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
    const events = (lines: Line[], pattern: RegExp): string[] => lines.map((l) => String(l.event)).filter((e) => pattern.test(e));

    await redis.stop();
    await eventually(() => (events(regionLines, /^racks\.redis\.error$/).length > 0 && events(rackLines, /^rack\.redis\.error$/).length > 0 ? true : undefined), 10_000, 'the outage logged');
    const loggedAt = Date.now();
    // Reconnection attempts, counted on a connection of the test's own: ioredis retries it after 50, 100, 150... ms
    // as it retries the daemons' connections, which have been at it since before the outage was logged.
    let attempts = 0;
    const probe = new Redis(redis.url, { maxRetriesPerRequest: null });
    probe.on('error', () => void (attempts += 1));
    try {
      await eventually(() => (attempts >= 8 ? true : undefined), 20_000, 'eight reconnection attempts');
    } finally {
      probe.disconnect();
    }
    expect(events(regionLines, /^racks\.redis\./)).toEqual(['racks.redis.error']);
    expect(events(rackLines, /^rack\.(redis|worker)\./)).toEqual(['rack.redis.error']);
    expect(rackLines.find((l) => l.event === 'rack.redis.error')).toMatchObject({ rack: 'rack-outage', failures: 1, err: expect.objectContaining({ message: expect.any(String) }) });

    const restartedAt = Date.now();
    await redis.restart();
    await eventually(() => (events(regionLines, /^racks\.redis\.restored$/).length === 1 ? true : undefined), 10_000, 'racks.redis.restored');
    await eventually(() => (events(rackLines, /^rack\.redis\.restored$/).length === 1 ? true : undefined), 10_000, 'rack.redis.restored');
    // One error line each, for more failures than one; the outage began before it was logged and ended after the restart.
    for (const restored of [regionLines.find((l) => l.event === 'racks.redis.restored'), rackLines.find((l) => l.event === 'rack.redis.restored')]) {
      expect(restored).toMatchObject({ failures: expect.any(Number), ms: expect.any(Number) });
      expect(restored!.failures as number).toBeGreaterThan(1);
      expect(restored!.ms as number).toBeGreaterThanOrEqual(restartedAt - loggedAt);
    }
    expect(rackLines.find((l) => l.event === 'rack.redis.restored')).toMatchObject({ rack: 'rack-outage' });
  }, 60_000);
});
