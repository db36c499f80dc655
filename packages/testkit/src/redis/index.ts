import { randomUUID } from 'node:crypto';

/** Redis every test talks to: the machine's own, or BOOTSYNC_TEST_REDIS_URL. */
export const testRedisUrl = process.env.BOOTSYNC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of a test's own, so test files can run in parallel against one Redis. */
export function uniquePrefix(label = 'test'): string {
  return `bst-${label}-${randomUUID().slice(0, 8)}`;
}
