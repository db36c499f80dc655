import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The rack's own figures for `/metrics`: how stale its images are, what it fetched, what it refused. */
export class RackMetrics {
  readonly registry = new Registry();
  readonly bytesFetched: Counter;
  readonly verificationFailures: Counter;
  readonly lastSyncDuration: Gauge;
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
