import { readFile, readdir, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentStore } from '@bootsync/shared/store';
import type { SnapshotManifest } from './current-link.js';
import { CURRENT_LINK, MANIFEST_FILE } from './snapshot-names.js';
import { planBlobs } from './snapshot-plan.js';
import { snapshotsToRemove } from './snapshot-retention.js';

export interface PruneOptions {
  readonly dataDir: string;
  readonly cache: ContentStore;
  /** @defaultValue 10 minutes */
  readonly graceMs?: number;
  /** @defaultValue the current time */
  readonly now?: Date;
  /** Blobs to keep although no snapshot links them yet (a sync that will retry with them). */
  readonly keep?: ReadonlySet<string>;
}

export interface PruneResult {
  readonly removedSnapshots: string[];
  readonly removedBlobs: number;
  readonly freedBytes: number;
}

export const DEFAULT_SNAPSHOT_GRACE_MS = 10 * 60 * 1000;

/**
 * Removes what no booting machine can still need: the entries `snapshotsToRemove` names, then every cache blob
 * that no remaining snapshot's manifest (nor `keep`) lists. Partial downloads are removed only when `keep` says what
 * is still wanted.
 * The caller makes sure no publish runs meanwhile.
 */
export async function pruneDataDir(options: PruneOptions): Promise<PruneResult> {
  const { dataDir, cache } = options;
  const entries = await readdir(dataDir).catch(() => [] as string[]);
  const current = await readlink(join(dataDir, CURRENT_LINK)).catch(() => undefined);
  const doomed = snapshotsToRemove(entries, current, options.now ?? new Date(), options.graceMs ?? DEFAULT_SNAPSHOT_GRACE_MS);
  for (const name of doomed) await rm(join(dataDir, name), { recursive: true, force: true });
  const live = new Set(options.keep);
  for (const name of entries.filter((e) => !doomed.includes(e) && e !== CURRENT_LINK)) {
    const manifest = await readManifest(join(dataDir, name));
    if (manifest) for (const sha256 of planBlobs(manifest.plan).keys()) live.add(sha256);
  }
  // Only a sync knows what the region wants (`keep`); without it a partial may be the head start of a sync that
  // was killed, so it stays.
  const gc = await cache.gc(live, options.keep ? { wantedPartials: options.keep } : {});
  return { removedSnapshots: doomed, removedBlobs: gc.removed.length, freedBytes: gc.bytes };
}

async function readManifest(dir: string): Promise<SnapshotManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as SnapshotManifest;
  } catch {
    return undefined;
  }
}
