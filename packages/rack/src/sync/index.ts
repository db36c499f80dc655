export { RegionStreamClient, REGION_STREAM_PATH, type RegionStreamClientOptions, type RegionStreamState } from './region-stream-client.js';
export { syncRack, type HeldImage, type RackSyncDeps, type SyncProgress, type SyncResult } from './rack-sync.js';
export { SerialLock } from './serial-lock.js';
