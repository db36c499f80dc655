import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The rack's own figures for `/metrics`: how stale its images are, what it fetched, what it refused. */
export class RackMetrics {
  readonly registry = new Registry();
  readonly bytesFetched: Counter;
  readonly verificationFailures: Counter;
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

  recordSync(at: Date = new Date()): void {
    this.#lastSyncAt = at.getTime();
  }
}
