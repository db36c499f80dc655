import { readFile, readdir, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentStore } from '@bootsync/shared/store';
import type { SnapshotManifest } from './current-link.js';
import { CURRENT_LINK, MANIFEST_FILE, snapshotTime } from './snapshot-names.js';
import { planBlobs } from './snapshot-plan.js';
import { snapshotsToRemove } from './snapshot-retention.js';
import { readSyncTarget } from './sync-target.js';

export interface PruneOptions {
  readonly dataDir: string;
  readonly cache: ContentStore;
  /** @defaultValue 10 minutes */
  readonly graceMs?: number;
  /** @defaultValue the current time */
  readonly now?: Date;
}

export interface PruneResult {
  readonly removedSnapshots: string[];
  readonly removedBlobs: number;
  readonly freedBytes: number;
}

export const DEFAULT_SNAPSHOT_GRACE_MS = 10 * 60 * 1000;

/**
 * Removes what nothing can still need: the entries `snapshotsToRemove` names, then every cache blob that neither a
 * remaining snapshot's manifest nor the sync target (what the newest sync set out to hold, fetched or not yet)
 * lists, and the partial downloads of blobs the target does not list.
 * The caller holds the lock a sync takes to record its target and to publish, so neither changes meanwhile.
 */
export async function pruneDataDir(options: PruneOptions): Promise<PruneResult> {
  const { dataDir, cache } = options;
  const entries = await readdir(dataDir).catch(() => [] as string[]);
  const current = await readlink(join(dataDir, CURRENT_LINK)).catch(() => undefined);
  const target = await readSyncTarget(dataDir);
  const doomed = snapshotsToRemove(entries, current, options.now ?? new Date(), options.graceMs ?? DEFAULT_SNAPSHOT_GRACE_MS);
  for (const name of doomed) await rm(join(dataDir, name), { recursive: true, force: true });
  const wanted = new Set(Object.keys(target?.blobs ?? {}));
  const live = new Set(wanted);
  for (const name of entries.filter((e) => !doomed.includes(e) && snapshotTime(e) !== undefined)) {
    const manifest = await readManifest(join(dataDir, name));
    if (manifest) for (const sha256 of planBlobs(manifest.plan).keys()) live.add(sha256);
  }
  // A data dir from before sync targets has none: its partials may be a killed sync's head start, so they stay.
  const gc = await cache.gc(live, target ? { wantedPartials: wanted } : {});
  return { removedSnapshots: doomed, removedBlobs: gc.removed.length, freedBytes: gc.bytes };
}

async function readManifest(dir: string): Promise<SnapshotManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as SnapshotManifest;
  } catch {
    return undefined;
  }
}
