export { startRackDaemon, type RackDaemon } from './rack-daemon.js';
export { regionDownloader, startSyncWorker, type RackSync, type SyncWorkerOptions } from './sync-worker.js';
