import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { createServingMetrics, type ServingMetrics } from '@bootsync/shared/http';

/** The rack's own figures for `/metrics`: how stale its images are, what it fetched, what it refused. */
export class RackMetrics {
  readonly registry = new Registry();
  readonly bytesFetched: Counter;
  readonly verificationFailures: Counter;
  readonly lastSyncDuration: Gauge;
  readonly scrubRuns: Counter;
  readonly scrubBytes: Counter;
  readonly scrubMismatches: Counter;
  readonly scrubRepairs: Counter;
  /** `/images/`: requests by status, bytes served, responses in flight. */
  readonly serving: ServingMetrics;
  #lastSyncAt: number | undefined;

  constructor(readonly rack: string) {
    this.registry.setDefaultLabels({ rack });
    collectDefaultMetrics({ register: this.registry });
    this.bytesFetched = new Counter({
      name: 'bootsync_rack_bytes_fetched_total',
      help: 'Bytes downloaded from the region into the rack cache',
      registers: [this.registry],
    });
    this.verificationFailures = new Counter({
      name: 'bootsync_rack_verification_failures_total',
      help: 'Files refused because their size or checksum did not match the region stream',
      registers: [this.registry],
    });
    this.lastSyncDuration = new Gauge({
      name: 'bootsync_rack_last_sync_duration_seconds',
      help: 'How long the last successful sync took (a no-op sync is one conditional request)',
      registers: [this.registry],
    });
    this.scrubRuns = new Counter({
      name: 'bootsync_rack_scrub_runs_total',
      help: 'Scrubs that re-hashed every cached blob to the end',
      registers: [this.registry],
    });
    this.scrubBytes = new Counter({
      name: 'bootsync_rack_scrub_bytes_checked_total',
      help: 'Bytes of cached blobs re-hashed by scrubs',
      registers: [this.registry],
    });
    this.scrubMismatches = new Counter({
      name: 'bootsync_rack_scrub_mismatches_total',
      help: 'Files or blobs found changed since they were verified (by a scrub, or by the size/mtime check of each sync); each withheld from serving',
      registers: [this.registry],
    });
    this.scrubRepairs = new Counter({
      name: 'bootsync_rack_scrub_repairs_total',
      help: 'Changed files or blobs served again, whole, by a repaired snapshot',
      registers: [this.registry],
    });
    this.serving = createServingMetrics(this.registry, 'bootsync_rack_images', '/images/ files');
    const metrics = this;
    new Gauge({
      name: 'bootsync_rack_last_sync_age_seconds',
      help: 'Seconds since the last successful sync (-1 before the first)',
      registers: [this.registry],
      collect() {
        this.set(metrics.#lastSyncAt === undefined ? -1 : (Date.now() - metrics.#lastSyncAt) / 1000);
      },
    });
  }

  /** A successful sync that started at `started` (ms since the epoch) ends now. */
  recordSync(started: number, now: number = Date.now()): void {
    this.#lastSyncAt = now;
    this.lastSyncDuration.set((now - started) / 1000);
  }
}
