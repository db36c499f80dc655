export { missingFiles, syncRack, type RackSyncDeps } from './rack-sync.js';
export { SerialLock } from './serial-lock.js';
export { downloadFromRegions, type RegionDownloadDeps, type RegionDownloadOptions } from './region-downloads.js';
