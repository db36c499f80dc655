import type { Logger } from '@bootsync/shared/logging';
import { DEFAULT_SCRUB_BYTES_PER_SECOND, scrubStore, type ContentStore, type ScrubResult } from '@bootsync/shared/store';
import type { RackMetrics } from '../metrics/index.js';
import type { IntegrityGuard } from './integrity-guard.js';

export interface RackScrubDeps {
  readonly cache: ContentStore;
  readonly guard: IntegrityGuard;
  readonly metrics: RackMetrics;
  readonly logger: Logger;
  readonly rack: string;
  /** Between the end of one scrub and the start of the next; 0: never. */
  readonly intervalMs: number;
  /** @defaultValue DEFAULT_SCRUB_BYTES_PER_SECOND (64 MiB/s: a few percent of a core, the disk left to serving) */
  readonly bytesPerSecond?: number;
}

/**
 * Re-hashes every cached blob, one scrub at a time, `intervalMs` after the previous one ended, at a bounded read
 * rate; a blob whose bytes changed goes to the integrity guard (withheld, moved aside, repaired by the next sync).
 */
export class RackScrub {
  readonly #stopping = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(private readonly deps: RackScrubDeps) {}

  start(): void {
    if (this.deps.intervalMs > 0) this.#schedule();
  }

  /** One whole scrub now. */
  async run(): Promise<ScrubResult> {
    const { cache, guard, metrics, logger, rack } = this.deps;
    const result = await scrubStore(cache, {
      bytesPerSecond: this.deps.bytesPerSecond ?? DEFAULT_SCRUB_BYTES_PER_SECOND,
      signal: this.#stopping.signal,
      onProgress: (p) => metrics.scrubBytes.inc(p.delta),
      onMismatch: (m) => guard.blobChanged(m),
    });
    metrics.scrubRuns.inc();
    logger.info({ event: 'rack.scrub.finished', rack, blobs: result.blobs, bytes: result.bytes, mismatches: result.mismatches.length, ms: result.ms });
    return result;
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#stopping.abort();
    await this.#running?.catch(() => undefined);
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#running = this.run()
        .catch((err: unknown) => {
          if (!this.#stopping.signal.aborted) this.deps.logger.warn({ event: 'rack.scrub.failed', rack: this.deps.rack, err });
        })
        .finally(() => {
          if (!this.#stopping.signal.aborted) this.#schedule();
        });
    }, this.deps.intervalMs);
    this.#timer.unref();
  }
}
