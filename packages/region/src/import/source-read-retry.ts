import { setTimeout as sleep } from 'node:timers/promises';
import { MirrorReadError } from '@bootsync/shared/streams';
import type { SourceReadRetry } from './service-types.js';

export const DEFAULT_SOURCE_READ_RETRY: SourceReadRetry = Object.freeze({ budgetMs: 60_000, baseDelayMs: 1_000 });

/**
 * Only an unreachable source or a server error is worth another try; a 4xx, a bad signature or a malformed
 * stream stays wrong however often it is read (MAAS retried 4xx forever, canonical/maas#403).
 */
export function isTransientReadError(err: unknown): boolean {
  return err instanceof MirrorReadError && !err.notFound && (err.status === undefined || err.status >= 500);
}

/**
 * Runs `read` until it succeeds, fails for good, or the budget is spent: exponential backoff from `baseDelayMs`,
 * never sleeping past the budget, so an unreachable source gives up within `budgetMs` (a minute at most).
 */
export async function withSourceReadRetry<T>(
  read: () => Promise<T>,
  retry: SourceReadRetry,
  signal: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + retry.budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      const left = deadline - Date.now();
      if (!isTransientReadError(err) || left <= 0 || signal.aborted) throw err;
      await sleep(Math.min(retry.baseDelayMs * 2 ** attempt, left), undefined, { signal });
    }
  }
}
