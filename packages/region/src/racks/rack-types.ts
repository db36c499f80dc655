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
