import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@bootsync/shared/logging';
import { scrubStore, type ContentStore, type ScrubMismatch, type ScrubResult } from '@bootsync/shared/store';
import type { Repositories } from '../db/index.js';
import { checkPublishedBlobs } from './published-blobs.js';
import { recordDamage, type RecordedDamage } from './store-damage.js';

/** The counters a scrub keeps; the region's metrics module satisfies it with prom-client objects. */
export interface ScrubMetrics {
  readonly runs: { inc(): void };
  readonly bytesChecked: { inc(value: number): void };
  /** Blobs found damaged: bytes that no longer hash to their name, or published blobs missing or resized. */
  readonly mismatches: { inc(): void };
}

export interface StoreScrubDeps {
  readonly repos: Pick<Repositories, 'bootResources' | 'resourceSets'>;
  readonly store: ContentStore;
  readonly logger: Logger;
  readonly metrics?: ScrubMetrics;
  /** Time from the start (and from the end of each scrub) to the next scrub. */
  readonly intervalMs: number;
  /** The read rate the scrub holds to; scrubStore's default when absent. */
  readonly bytesPerSecond?: number;
  /** Queues an import that fetches the damaged blobs again. */
  readonly requestRepair: () => Promise<void>;
}

/** setTimeout's limit (about 24.8 days): longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The region's periodic scrub: every `intervalMs` it re-hashes the store at a bounded rate. A blob whose bytes
 * changed is moved aside (never served again), the sets holding it are marked damaged (incomplete in the API,
 * still offered to racks, which keep their copy), and an import is queued to fetch it again.
 */
export class StoreScrub {
  readonly #deps: StoreScrubDeps;
  readonly #stopping = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(deps: StoreScrubDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops the scrub between two chunks and waits for it. */
  async stop(): Promise<void> {
    this.#stopping.abort(new Error('region stopping'));
    await this.#loop;
  }

  /** One scrub of the whole store; rejects with the signal's reason when stopped. */
  async scrubOnce(signal: AbortSignal): Promise<ScrubResult> {
    const { logger: log, metrics } = this.#deps;
    log.info({ event: 'region.scrub.started' });
    // Deleted blobs are not in the listing the hashing walks: the published sets name them.
    const damage = await checkPublishedBlobs(this.#deps.repos, this.#deps.store);
    for (const found of damage) this.#report(found);
    const result = await scrubStore(this.#deps.store, {
      signal,
      ...(this.#deps.bytesPerSecond ? { bytesPerSecond: this.#deps.bytesPerSecond } : {}),
      onProgress: (p) => metrics?.bytesChecked.inc(p.delta),
      onMismatch: async (mismatch) => {
        const found = await recordDamage(this.#deps.repos, this.#deps.store, mismatch.sha256, mismatch.error ? 'unreadable' : 'checksum');
        this.#report(found, mismatch);
        damage.push(found);
      },
    });
    metrics?.runs.inc();
    log.info({ event: 'region.scrub.finished', blobs: result.blobs, bytes: result.bytes, mismatches: damage.length, ms: result.ms });
    if (damage.some((d) => d.sets > 0)) await this.#deps.requestRepair();
    return result;
  }

  /** One line per damaged blob: what was found, which images hold it, where its bytes went. */
  #report(damage: RecordedDamage, mismatch?: ScrubMismatch): void {
    this.#deps.metrics?.mismatches.inc();
    this.#deps.logger.error({
      event: 'region.scrub.mismatch',
      reason: damage.kind,
      sha256: damage.sha256,
      actual: mismatch?.actual,
      bytes: mismatch?.bytes,
      image: damage.images.join(', '),
      file: this.#deps.store.pathOf(damage.sha256),
      quarantined: damage.quarantined,
      err: mismatch?.error,
    });
  }

  async #run(): Promise<void> {
    const signal = this.#stopping.signal;
    while (!signal.aborted) {
      try {
        for (let left = this.#deps.intervalMs; left > 0; left -= MAX_TIMER_MS) await sleep(Math.min(left, MAX_TIMER_MS), undefined, { signal });
        await this.scrubOnce(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.#deps.logger.error({ event: 'region.scrub.failed', err });
      }
    }
  }
}
