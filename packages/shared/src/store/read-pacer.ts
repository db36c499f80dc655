import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Holds a reader to an average byte rate: after each chunk it waits until the bytes read so far are due. Time the
 * reader spent elsewhere (hashing, a caller's callback) is not saved up as a burst for later.
 */
export class ReadPacer {
  readonly #msPerByte: number;
  readonly #now: () => number;
  #due: number | undefined;

  constructor(bytesPerSecond: number, now: () => number = () => performance.now()) {
    if (!(bytesPerSecond > 0)) throw new RangeError(`bytes per second must be positive, got ${bytesPerSecond}`);
    this.#msPerByte = 1000 / bytesPerSecond;
    this.#now = now;
  }

  /** How long to wait after reading `bytes` more; advances the schedule. */
  delayFor(bytes: number): number {
    const now = this.#now();
    this.#due = Math.max(this.#due ?? now, now) + bytes * this.#msPerByte;
    return Math.max(0, this.#due - now);
  }

  /** Waits as long as `delayFor(bytes)` says; rejects with the signal's reason when it aborts. */
  async pace(bytes: number, signal?: AbortSignal): Promise<void> {
    const ms = this.delayFor(bytes);
    if (ms >= 1) await sleep(ms, undefined, { signal });
    else signal?.throwIfAborted();
  }
}
