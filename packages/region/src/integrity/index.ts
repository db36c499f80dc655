/**
 * The region store's integrity over time: the import's check that every published blob is there at its size, the
 * periodic scrub that re-hashes the store, and what both do with a damaged blob (moved aside, its sets damaged, an
 * import fetches it again).
 */
export { checkPublishedBlobs } from './published-blobs.js';
export { recordDamage, type DamageKind, type RecordedDamage } from './store-damage.js';
export { StoreScrub, type ScrubMetrics, type StoreScrubDeps } from './store-scrub.js';
