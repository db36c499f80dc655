import { randomUUID } from 'node:crypto';
import { open, readFile, readlink, rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileStamp } from './file-stamps.js';
import type { SnapshotPlan } from './snapshot-plan.js';
import { CURRENT_LINK, MANIFEST_FILE, SWAP_LINK_PREFIX } from './snapshot-names.js';

/** Written last inside a snapshot: what it holds, and the region stream state it was built from. */
export interface SnapshotManifest {
  readonly name: string;
  readonly createdAt: string;
  /** An opaque tag of the source the plan came from (e.g. the region stream's ETag). */
  readonly source?: string;
  readonly plan: SnapshotPlan;
  /**
   * Size and mtime of every file as published (blobs verified at download, bootloaders unpacked from verified
   * archives): each sync compares them with the files `current` serves. Absent in snapshots from before.
   */
  readonly files?: Readonly<Record<string, FileStamp>>;
}

export interface CurrentSnapshot {
  readonly name: string;
  /** Absolute path of the snapshot directory. */
  readonly dir: string;
  readonly manifest: SnapshotManifest;
}

/** The snapshot `current` points at, or undefined when the rack has never published one. */
export async function readCurrent(dataDir: string): Promise<CurrentSnapshot | undefined> {
  let name: string;
  try {
    name = await readlink(join(dataDir, CURRENT_LINK));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const dir = join(dataDir, name);
  const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as SnapshotManifest;
  return { name, dir, manifest };
}

/** Points `current` at `name` (relative) in one rename, so a reader sees the old tree or the new one, never neither. */
export async function swapCurrent(dataDir: string, name: string): Promise<void> {
  const tmp = join(dataDir, `${SWAP_LINK_PREFIX}${randomUUID()}`);
  await symlink(name, tmp);
  await rename(tmp, join(dataDir, CURRENT_LINK));
  await fsyncPath(dataDir);
}

/** Makes a directory's entries (or a file's bytes) durable before the next step relies on them. */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
