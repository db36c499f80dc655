import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDurably } from './durable-file.js';
import { SYNC_TARGET_FILE } from './snapshot-names.js';

/**
 * What the newest sync set out to hold: every blob of its plan (sha256 → size) and the region stream state it
 * came from. It is the sync's claim on the cache: pruning leaves these blobs, and their partial downloads, until a
 * newer sync replaces the target, even while no snapshot links them yet, after a failed attempt and across a
 * restart. So a sync that outlasts any number of prune periods, or is retried, never fetches a verified blob twice.
 */
export interface SyncTarget {
  readonly source: string;
  readonly blobs: Readonly<Record<string, number>>;
}

/**
 * Records the target durably, unless the one on record came from the same stream state (a retry). The caller
 * holds the lock pruning takes, so no prune runs between reading the claim and acting on it.
 */
export async function writeSyncTarget(dataDir: string, target: SyncTarget): Promise<void> {
  if ((await readSyncTarget(dataDir))?.source === target.source) return;
  await writeDurably(dataDir, SYNC_TARGET_FILE, JSON.stringify(target));
}

/** The recorded target, or undefined when no sync ever started here; a damaged file throws (pruning then waits). */
export async function readSyncTarget(dataDir: string): Promise<SyncTarget | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, SYNC_TARGET_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as SyncTarget;
}
