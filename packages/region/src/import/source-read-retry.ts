import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, DEFAULT_RETRY } from '@bootsync/shared/download';
import { MirrorReadError } from '@bootsync/shared/streams';
import type { SourceReadRetry } from './service-types.js';

export const DEFAULT_SOURCE_READ_RETRY: SourceReadRetry = Object.freeze({ budgetMs: 60_000, baseDelayMs: 1_000 });

/**
 * Only an unreachable source or a server error is worth another try; a 4xx, a bad signature or a malformed
 * stream stays wrong however often it is read (MAAS retried 4xx forever, canonical/maas#403).
 */
function isTransientReadError(err: unknown): boolean {
  return err instanceof MirrorReadError && !err.notFound && (err.status === undefined || err.status >= 500);
}

/**
 * Runs `read` until it succeeds, fails for good, or the budget is spent: the downloads' backoff (jittered, so regions
 * that lost a mirror together do not all return to it at once), never sleeping past the budget, so an unreachable
 * source gives up within `budgetMs` (a minute at most).
 */
export async function withSourceReadRetry<T>(
  read: () => Promise<T>,
  retry: SourceReadRetry,
  signal: AbortSignal,
): Promise<T> {
  const backoff = { maxDelayMs: DEFAULT_RETRY.maxDelayMs, jitter: DEFAULT_RETRY.jitter, ...retry };
  const deadline = Date.now() + retry.budgetMs;
  for (let failures = 1; ; failures++) {
    try {
      return await read();
    } catch (err) {
      const left = deadline - Date.now();
      if (!isTransientReadError(err) || left <= 0 || signal.aborted) throw err;
      await sleep(Math.min(backoffDelay(backoff, failures), left), undefined, { signal });
    }
  }
}
