import type { HeldImage, RackFailure, SyncResult } from '@bootsync/shared/rack-protocol';
import type { RackBootImage } from './rack-boot-images.js';

/** A rack's last failure as the region recorded it: what the rack reported, and when. */
export interface RackError extends RackFailure {
  readonly at: string;
}

/** The region's record of one rack controller. Dates are ISO 8601 UTC. */
export interface RackRecord {
  readonly name: string;
  readonly registered: string;
  readonly lastSeen: string | null;
  /** End of the last successful sync. */
  readonly lastSync: string | null;
  readonly syncing: boolean;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly holds: readonly HeldImage[];
  readonly lastResult: SyncResult | null;
  /** The last failure, cleared by the next success. */
  readonly lastError: RackError | null;
}

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
