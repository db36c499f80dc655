/** Names in a rack's data dir: `current` → `snapshot-YYYYmmdd-HHMMSS-mmm/`, built as `<name>.partial/`. */
export const CURRENT_LINK = 'current';
export const PARTIAL_SUFFIX = '.partial';
export const MANIFEST_FILE = '.snapshot.json';
export const SWAP_LINK_PREFIX = '.current-';
/** The blobs the newest sync set out to hold (sync-target.ts). */
export const SYNC_TARGET_FILE = '.sync-target.json';

const SNAPSHOT_NAME = /^snapshot-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-(\d{3})$/;

/** UTC, so names sort in time order whatever the rack's time zone. */
export function snapshotName(at: Date): string {
  const iso = at.toISOString(); // 2025-07-24T08:01:49.123Z
  return `snapshot-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${iso.slice(20, 23)}`;
}

/** When a snapshot was built, or undefined for a name that is not a snapshot's. */
export function snapshotTime(name: string): Date | undefined {
  const m = SNAPSHOT_NAME.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!));
}
