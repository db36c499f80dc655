import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createServingMetrics, type ServingMetrics } from '@bootsync/shared/http';
import type { ImportMetrics, ImportOutcome } from '../import/index.js';
import type { ScrubMetrics } from '../integrity/index.js';
import { createRackGauges, type RackGauges } from '../racks/rack-metrics.js';

const OUTCOMES: readonly ImportOutcome[] = ['succeeded', 'failed', 'partial', 'stopped'];

/** The region's Prometheus metrics, in a registry of their own (several regions can live in one test process). */
export interface RegionMetrics extends ImportMetrics {
  readonly registry: Registry;
  readonly bytesDownloaded: Counter;
  readonly filesVerified: Counter;
  readonly checksumFailures: Counter;
  readonly importDuration: Histogram<'outcome'>;
  readonly importsTotal: Counter<'outcome'>;
  readonly lastSuccessfulImport: Gauge;
  readonly storeRepairs: Counter;
  /** The store's scrub: runs finished, bytes re-hashed, blobs found damaged. */
  readonly scrub: ScrubMetrics;
  /** Per-rack status and last sync, read from the rack service at each scrape. */
  readonly racks: RackGauges;
  /** The region stream racks pull: requests by status, bytes served, responses in flight. */
  readonly stream: ServingMetrics;
  /** Blob transfers to racks the region sends now, which --max-rack-transfers bounds. */
  readonly rackTransfersInFlight: Gauge;
}

export function createRegionMetrics(): RegionMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'bootsync_region_' });
  const importsTotal = new Counter({
    name: 'bootsync_region_imports_total',
    help: 'Finished imports by outcome.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  // Zero-valued series from the start, so a dashboard shows "0 failed" rather than "no data".
  for (const outcome of OUTCOMES) importsTotal.inc({ outcome }, 0);
  return {
    registry,
    importsTotal,
    bytesDownloaded: new Counter({
      name: 'bootsync_region_bytes_downloaded_total',
      help: 'Bytes of image files downloaded from boot sources.',
      registers: [registry],
    }),
    filesVerified: new Counter({
      name: 'bootsync_region_files_verified_total',
      help: 'Image files downloaded and verified against their checksums.',
      registers: [registry],
    }),
    checksumFailures: new Counter({
      name: 'bootsync_region_checksum_failures_total',
      help: 'Downloaded files whose size or checksum did not match the stream.',
      registers: [registry],
    }),
    importDuration: new Histogram({
      name: 'bootsync_region_import_duration_seconds',
      help: 'Duration of imports, from start to end, by outcome.',
      labelNames: ['outcome'] as const,
      buckets: [0.1, 0.3, 1, 3, 10, 30, 60, 300, 900, 3600],
      registers: [registry],
    }),
    lastSuccessfulImport: new Gauge({
      name: 'bootsync_region_last_successful_import_timestamp_seconds',
      help: 'Unix time of the end of the last successful import (0 = none since start).',
      registers: [registry],
    }),
    storeRepairs: new Counter({
      name: 'bootsync_region_store_repairs_total',
      help: 'Damaged or missing blobs of published sets fetched again by an import.',
      registers: [registry],
    }),
    scrub: {
      runs: new Counter({
        name: 'bootsync_region_scrub_runs_total',
        help: 'Scrubs of the region store run to the end.',
        registers: [registry],
      }),
      bytesChecked: new Counter({
        name: 'bootsync_region_scrub_bytes_checked_total',
        help: 'Bytes of the region store re-hashed by the scrub.',
        registers: [registry],
      }),
      mismatches: new Counter({
        name: 'bootsync_region_scrub_mismatches_total',
        help: 'Blobs the scrub found damaged: bytes no longer hashing to their name, or a published blob missing or resized.',
        registers: [registry],
      }),
    },
    racks: createRackGauges(registry),
    stream: createServingMetrics(registry, 'bootsync_region_stream', 'region stream documents and files'),
    rackTransfersInFlight: new Gauge({
      name: 'bootsync_region_stream_rack_transfers_in_flight',
      help: 'Blob transfers to racks the region is sending now (at most --max-rack-transfers; beyond it racks are told to wait their turn).',
      registers: [registry],
    }),
  };
}
