import type { RackRecord } from '../db/index.js';
import type { RackBootImage } from './rack-boot-images.js';

/** Per rack, as MAAS's `get_image_sync_status` words it. */
export type RackStatus = 'synced' | 'syncing' | 'out-of-sync' | 'region-importing' | 'unknown';

/** A rack as the API shows it (`rackcontrollers/`). */
export interface RackView {
  readonly name: string;
  readonly connected: boolean;
  readonly status: RackStatus;
  readonly lastSeen: string | null;
  readonly lastSync: string | null;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly lastError: RackRecord['lastError'];
  /** What it holds, as MAAS's list_boot_images lists it (rack-boot-images.ts). */
  readonly images: readonly RackBootImage[];
}

/** Which racks a list answers: those of one status, from `offset`, at most `limit` of them (all by default). */
export interface RackQuery {
  readonly status?: RackStatus;
  readonly offset?: number;
  readonly limit?: number;
}

/** How many racks there are, how many are connected, and how many read each status. */
export interface RackCounts {
  readonly total: number;
  readonly connected: number;
  readonly byStatus: Readonly<Record<RackStatus, number>>;
}
