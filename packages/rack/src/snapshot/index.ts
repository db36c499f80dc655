export { planSnapshot, planBlobs, type SnapshotArchive, type SnapshotFile, type SnapshotPlan } from './snapshot-plan.js';
export { publishSnapshot, type PublishOptions, type PublishStep } from './publish-snapshot.js';
export { readCurrent, swapCurrent, type CurrentSnapshot, type SnapshotManifest } from './current-link.js';
export { snapshotsToRemove } from './snapshot-retention.js';
export { pruneDataDir, DEFAULT_SNAPSHOT_GRACE_MS, type PruneOptions, type PruneResult } from './prune.js';
export { readSyncTarget, writeSyncTarget, type SyncTarget } from './sync-target.js';
export { ensureWritableDataDir, unwritableDataDir } from './writable-data-dir.js';
export { unpackArchives } from './bootloader-archive.js';
export { CURRENT_LINK, MANIFEST_FILE, snapshotName, snapshotTime } from './snapshot-names.js';
