/** A rack leaving one region for another: where from, where to, and whether every region failed in turn. */
export interface RegionMove {
  readonly from: string;
  readonly to: string;
  /**
   * Every region failed, one after the other, since one last answered: the caller waits (its backoff) before going
   * round again, from `to`. Always true with a single region, which is then tried again after the wait.
   */
  readonly roundOver: boolean;
}

/**
 * The regions a rack knows and the one it uses now: the configured ones (`--region-url`, in order), then those the
 * last registration named live that are not configured (a cluster's peers, remembered in the rack's data dir). A
 * rack uses one region at a time and moves to the next, in that order and round again, when the current one fails
 * in a way another region may not (`isRegionFailure`). Pure: the rack's I/O asks it where to go and says what
 * happened.
 */
export class RegionRoster {
  readonly #configured: readonly string[];
  #urls: readonly string[];
  #at = 0;
  /** Regions that failed in turn since one last answered. */
  #failedInRound = 0;

  /** `configured` first (at least one), then `remembered`; URLs without trailing slashes, each once. */
  constructor(configured: readonly string[], remembered: readonly string[] = []) {
    this.#configured = unique(configured);
    if (this.#configured.length === 0) throw new RangeError('a rack needs the URL of one region at least');
    this.#urls = unique([...this.#configured, ...remembered]);
  }

  /** The region a request goes to now. */
  get current(): string {
    return this.#urls[this.#at] as string;
  }

  /** Every region known, in the order they are tried. */
  get urls(): readonly string[] {
    return this.#urls;
  }

  /** The current region answered: a failure after this one starts a new round. */
  answered(): void {
    this.#failedInRound = 0;
  }

  /** The current region failed: the next one becomes current. */
  failed(): RegionMove {
    const from = this.current;
    this.#at = (this.#at + 1) % this.#urls.length;
    this.#failedInRound += 1;
    const roundOver = this.#failedInRound >= this.#urls.length;
    if (roundOver) this.#failedInRound = 0;
    return { from, to: this.current, roundOver };
  }

  /**
   * Registration named the live regions: they replace the remembered ones (a region gone for good drops out; a
   * configured one stays, as the operator asked). The current region stays current.
   */
  learn(live: readonly string[]): void {
    const current = this.current;
    this.#urls = unique([...this.#configured, ...live]);
    this.#at = Math.max(0, this.#urls.indexOf(current));
    this.#failedInRound = 0;
  }
}

function unique(urls: readonly string[]): string[] {
  return [...new Set(urls.map((url) => url.replace(/\/+$/, '')))];
}
