import { setTimeout as sleep } from 'node:timers/promises';
import { ChecksumMismatchError, InsufficientSpaceError, SizeMismatchError } from '../store/index.js';
import { ConnectionsResetError, HttpStatusError } from './errors.js';
import type { Backoff, RetryPolicy } from './options.js';

/** The wait after `failuresInRow` failures in a row: exponential, capped at `maxDelayMs`, less up to `jitter` of it. */
export function backoffDelay(backoff: Backoff, failuresInRow: number, random: () => number = Math.random): number {
  const full = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.max(0, failuresInRow - 1));
  return Math.round(full * (1 - backoff.jitter * random()));
}

/**
 * The wait before asking again a server that said how long to wait (Retry-After): that long, plus up to as long
 * again at random, so the clients it turned away together do not come back together. Never shorter than asked.
 */
export function turnDelay(retryAfterMs: number, random: () => number = Math.random): number {
  // "Retry-After: 0" asked again and again would spin.
  const asked = Math.max(MIN_TURN_MS, retryAfterMs);
  return asked + backoffDelay({ baseDelayMs: asked, maxDelayMs: asked, jitter: 1 }, 1, random);
}

const MIN_TURN_MS = 100;

/**
 * Counts failures in a row for one file. An attempt that stored new bytes starts a new streak, so a
 * connection that keeps dropping while the file still advances is never given up on.
 */
export class RetryStreak {
  #failures = 0;
  #since = 0;
  #total = 0;

  constructor(
    readonly policy: RetryPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Total attempts that failed so far, across streaks. */
  get failures(): number {
    return this.#total;
  }

  get elapsedMs(): number {
    return this.#failures === 0 ? 0 : this.now() - this.#since;
  }

  /** Records a failed attempt; the delay before the next one, or undefined when the policy is spent. */
  fail(progressed: boolean): number | undefined {
    if (progressed) this.#failures = 0;
    if (this.#failures === 0) this.#since = this.now();
    this.#failures += 1;
    this.#total += 1;
    if (this.#failures >= this.policy.attempts) return undefined;
    const delay = backoffDelay(this.policy, this.#failures);
    if (this.now() - this.#since + delay > this.policy.budgetMs) return undefined;
    return delay;
  }
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);
const FINAL_UNDICI_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_ABORTED', 'UND_ERR_NOT_SUPPORTED']);

/** Network trouble and 5xx are worth another attempt; a wrong file, a full disk or a 4xx are not. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof HttpStatusError) return err.retryable;
  if (err instanceof ConnectionsResetError) return true;
  if (err instanceof ChecksumMismatchError || err instanceof SizeMismatchError) return false;
  if (err instanceof InsufficientSpaceError) return false;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  if (code.startsWith('UND_ERR_')) return !FINAL_UNDICI_CODES.has(code);
  return NETWORK_CODES.has(code);
}

/** Waits, unless the signal fires first (then rejects with the signal's reason). */
export async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await sleep(ms, undefined, signal ? { signal } : {});
}
