import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentStore } from '@bootsync/shared/store';
import type { ItemRef } from '@bootsync/shared/streams';
import { planBlobs, sameStamp, stampOf, type CurrentSnapshot, type FileStamp, type SnapshotPlan } from '../snapshot/index.js';
import type { Damage } from './damage.js';

export interface Inspection {
  /** Files of `current` that differ from their stamp at publish, or are gone. */
  readonly damage: readonly Damage[];
  /** Blobs of current's plan no longer in the cache (moved aside by a scrub): the next publish needs them. */
  readonly uncached: readonly string[];
}

/**
 * The cheap check of each sync: every file of `current` against the size and mtime recorded when it was published
 * (a stat per file, no reading), and every blob of its plan present in the cache. Snapshots published before stamps
 * were recorded are checked by size against the plan.
 */
export async function inspectCurrent(current: CurrentSnapshot, cache: Pick<ContentStore, 'has'>): Promise<Inspection> {
  const { plan } = current.manifest;
  const expected = current.manifest.files ?? Object.fromEntries(plan.files.map((f) => [f.path, { size: f.size, mtimeMs: Number.NaN }]));
  const damage: Damage[] = [];
  for (const [file, stamp] of Object.entries(expected)) {
    const reason = await differs(join(current.dir, file), stamp);
    if (!reason) continue;
    const origin = originOf(plan, file);
    damage.push({ sha256: origin?.sha256 ?? '', file, ...(origin ? { ref: origin.ref } : {}), reason });
  }
  const uncached: string[] = [];
  for (const sha256 of planBlobs(plan).keys()) if (!(await cache.has(sha256))) uncached.push(sha256);
  return { damage, uncached };
}

async function differs(path: string, stamp: FileStamp): Promise<Damage['reason'] | undefined> {
  const stats = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!stats || !stats.isFile()) return 'missing';
  if (stats.size !== stamp.size) return 'size';
  // NaN: a snapshot from before stamps, whose mtimes were never recorded.
  return Number.isNaN(stamp.mtimeMs) || sameStamp(stampOf(stats), stamp) ? undefined : 'mtime';
}

/** The plan entry a snapshot path comes from: its own blob, or the bootloader archive unpacked into its directory. */
export function originOf(plan: SnapshotPlan, file: string): { sha256: string; ref: ItemRef; linked: boolean } | undefined {
  const linked = plan.files.find((f) => f.path === file);
  if (linked) return { sha256: linked.sha256, ref: linked.ref, linked: true };
  const archive = plan.archives.find((a) => file.startsWith(`${a.dir}/`));
  return archive ? { sha256: archive.sha256, ref: archive.ref, linked: false } : undefined;
}
