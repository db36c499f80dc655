import { HttpStatusError, isRetryable, RetriesExhaustedError } from '../download/index.js';
import type { Logger } from '../logging/index.js';
import { RegionRequestError } from './errors.js';
import type { RegionMove, RegionRoster } from './region-roster.js';

/** The error itself, or what the downloader's retries last met. */
function causeOf(err: unknown): unknown {
  return err instanceof RetriesExhaustedError ? err.cause : err;
}

/**
 * Whether another region may succeed where this one failed: a connection error (refused, reset, timed out), a 5xx
 * (a 503 included), or a 429 asking the rack to wait its turn. A refused token, a path the stream does not list or a
 * wrong file would fail the same way at any region of a cluster.
 */
export function isRegionFailure(err: unknown): boolean {
  const cause = causeOf(err);
  if (cause instanceof RegionRequestError || cause instanceof HttpStatusError) return cause.status >= 500 || cause.status === 429;
  return isRetryable(cause);
}

/** How long a region that turned the rack away asked it to wait (503 or 429 with Retry-After), in ms. */
export function busyFor(err: unknown): number | undefined {
  const cause = causeOf(err);
  return cause instanceof HttpStatusError ? cause.retryAfterMs : undefined;
}

/** Moves the rack on to the roster's next region after `err`, and logs `rack.region.changed` when that is another. */
export function moveOn(roster: RegionRoster, err: unknown, log: { readonly logger: Logger; readonly rack: string }): RegionMove {
  const move = roster.failed();
  if (move.to !== move.from) log.logger.warn({ event: 'rack.region.changed', rack: log.rack, region: move.to, from: move.from, err });
  return move;
}
