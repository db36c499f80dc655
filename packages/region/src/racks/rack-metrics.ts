import { Gauge, type Registry } from 'prom-client';
import type { RackStatus } from './rack-types.js';

export const RACK_STATUSES: readonly RackStatus[] = ['synced', 'syncing', 'out-of-sync', 'region-importing', 'unknown'];

/** What the gauges read of each rack at a scrape (a RackView satisfies it). */
export interface RackGaugeView {
  readonly name: string;
  readonly status: RackStatus;
  /** ISO 8601 end of the last successful sync, null before the first. */
  readonly lastSync: string | null;
}

/** The region's per-rack gauges; the rack service says where their values come from. */
export interface RackGauges {
  /** Read at every scrape: statuses age (a rack goes "unknown" without any event), so they are not pushed. */
  observe(racks: () => Promise<readonly RackGaugeView[]>): void;
}

/**
 * `bootsync_region_rack_status{rack,status}` (1 for the rack's current status, 0 for the others, as a state set
 * so a dashboard can colour by status) and `bootsync_region_rack_last_sync_timestamp_seconds{rack}`. A
 * deregistered rack's series go with it: both are rebuilt from the racks at each scrape.
 */
export function createRackGauges(registry: Registry): RackGauges {
  let source: (() => Promise<readonly RackGaugeView[]>) | undefined;
  const racks = async (): Promise<readonly RackGaugeView[]> => (source ? source() : []);
  new Gauge({
    name: 'bootsync_region_rack_status',
    help: 'Per rack controller, 1 for its image sync status (synced, syncing, out-of-sync, region-importing, unknown), 0 for the others.',
    labelNames: ['rack', 'status'] as const,
    registers: [registry],
    async collect() {
      const views = await racks();
      this.reset();
      for (const rack of views) for (const status of RACK_STATUSES) this.set({ rack: rack.name, status }, rack.status === status ? 1 : 0);
    },
  });
  new Gauge({
    name: 'bootsync_region_rack_last_sync_timestamp_seconds',
    help: 'Per rack controller, Unix time of the end of its last successful sync (absent before the first).',
    labelNames: ['rack'] as const,
    registers: [registry],
    async collect() {
      const views = await racks();
      this.reset();
      for (const rack of views) if (rack.lastSync !== null) this.set({ rack: rack.name }, Date.parse(rack.lastSync) / 1000);
    },
  });
  return {
    observe(next) {
      source = next;
    },
  };
}
