/** What to log about one failure of a dependency that is down; undefined when the failure is to stay quiet. */
export interface OutageReport {
  /** The first failure of this outage (the dependency was up before). */
  readonly first: boolean;
  /** Failures since the outage began, this one included. */
  readonly failures: number;
  /** Milliseconds since the outage began. */
  readonly ms: number;
}

/**
 * Decides when a dependency's outage is worth a log line: ioredis reconnects every 100–500 ms and reports each
 * attempt, so the first failure is logged, then one line a minute at most while it lasts, then its end once.
 * Pure bookkeeping: watchRedisOutage (redis-outage.ts) logs with it.
 */
export class OutageThrottle {
  #since: number | undefined;
  #lastReported = 0;
  #failures = 0;

  constructor(
    private readonly everyMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get down(): boolean {
    return this.#since !== undefined;
  }

  failed(): OutageReport | undefined {
    const now = this.now();
    this.#failures++;
    const first = this.#since === undefined;
    if (first) this.#since = now;
    else if (now - this.#lastReported < this.everyMs) return undefined;
    this.#lastReported = now;
    return { first, failures: this.#failures, ms: now - (this.#since ?? now) };
  }

  /** The dependency answers again: how long it was away, or undefined if it was not. */
  restored(): { readonly failures: number; readonly ms: number } | undefined {
    if (this.#since === undefined) return undefined;
    const outage = { failures: this.#failures, ms: this.now() - this.#since };
    this.#since = undefined;
    this.#failures = 0;
    return outage;
  }
}
