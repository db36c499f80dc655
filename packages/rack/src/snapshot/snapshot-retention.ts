import { PARTIAL_SUFFIX, SWAP_LINK_PREFIX, snapshotTime } from './snapshot-names.js';

/**
 * Which entries of a data dir can go, given the snapshot `current` points at:
 * - half-built `*.partial` trees and leftover swap links (a crash mid-publish; nothing ever served them);
 * - complete snapshots newer than `current` (built, but a crash came before the swap: never served);
 * - older snapshots once the grace period has passed since they were replaced (by the next newer snapshot),
 *   so a machine mid-boot keeps its files.
 * Must not run while a snapshot is being built (the caller serialises the two).
 */
export function snapshotsToRemove(entries: readonly string[], current: string | undefined, now: Date, graceMs: number): string[] {
  const remove = entries.filter(
    (e) => e.startsWith(SWAP_LINK_PREFIX) || (e.endsWith(PARTIAL_SUFFIX) && snapshotTime(e.slice(0, -PARTIAL_SUFFIX.length))),
  );
  const snapshots = entries.filter((e) => snapshotTime(e) !== undefined).sort();
  const currentTime = current === undefined ? undefined : snapshotTime(current);
  snapshots.forEach((name, i) => {
    if (name === current) return;
    if (currentTime && name > current!) {
      remove.push(name);
      return;
    }
    const replacedAt = snapshotTime(snapshots[i + 1] ?? '');
    if (replacedAt && now.getTime() - replacedAt.getTime() >= graceMs) remove.push(name);
  });
  return remove.sort();
}
