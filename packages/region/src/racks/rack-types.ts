/** One image version a rack holds, by its region-stream product name (what a rack's sync job returns). */
export interface HeldImage {
  readonly product: string;
  readonly version: string;
}

/** What a rack's sync job returns (the rack's `SyncResult`). */
export interface RackSyncResult {
  readonly snapshot: string;
  readonly changed: boolean;
  readonly bytesFetched: number;
  readonly files: number;
  readonly images: readonly HeldImage[];
}

export interface RackError {
  readonly code: string;
  readonly message: string;
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
  readonly lastResult: RackSyncResult | null;
  /** The last failure, cleared by the next success. */
  readonly lastError: RackError | null;
}

/** Per rack, as MAAS's `get_image_sync_status` words it. */
export type RackStatus = 'synced' | 'syncing' | 'out-of-sync' | 'region-importing' | 'unknown';
