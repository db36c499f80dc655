import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** Redis every test talks to: the machine's own, or BOOTSYNC_TEST_REDIS_URL. */
export const testRedisUrl = process.env.BOOTSYNC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of a test's own, so test files can run in parallel against one Redis. */
export function uniquePrefix(label = 'test'): string {
  return `bst-${label}-${randomUUID().slice(0, 8)}`;
}

/**
 * Deletes every key under `prefix:` (a test's prefix, or a region's `bootsync:region:<id>`: its queues and its
 * racks'), so a shared Redis is left as found. SCAN rather than KEYS: other tests' Redis is never blocked.
 * Returns how many keys went.
 */
export async function deleteKeys(prefix: string, url: string = testRedisUrl): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}
export { startPrivateRedis, type PrivateRedis } from './private-redis.js';
