export { missingFiles, syncRack, type RackSyncDeps } from './rack-sync.js';
export { SerialLock } from './serial-lock.js';
