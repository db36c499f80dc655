import { existsSync } from 'node:fs';
import { link, mkdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { formatItemRef } from '@bootsync/shared/streams';
import { SnapshotBlobMissingError } from '../errors/index.js';
import { unpackArchives } from './bootloader-archive.js';
import { stampTree } from './file-stamps.js';
import { bootloaderRootLinks } from './maas-layout.js';
import { fsyncPath, swapCurrent, type CurrentSnapshot, type SnapshotManifest } from './current-link.js';
import { MANIFEST_FILE, PARTIAL_SUFFIX, snapshotName } from './snapshot-names.js';
import type { SnapshotArchive, SnapshotPlan } from './snapshot-plan.js';

/** The steps of a publish, in order; `current` changes only at `swapped`. */
export type PublishStep = 'linked' | 'unpacked' | 'manifest-written' | 'renamed' | 'swapped';

export interface PublishOptions {
  readonly dataDir: string;
  readonly plan: SnapshotPlan;
  /** Where the rack's content-addressed cache keeps a verified blob (same file system as dataDir: hard links). */
  readonly blobPath: (sha256: string) => string;
  readonly source?: string;
  /** Written as `maas.meta` at the snapshot root, as MAAS racks write it (maas-layout.ts maasMeta). */
  readonly maasMeta?: string;
  /** @defaultValue the current time */
  readonly now?: Date;
  readonly signal?: AbortSignal;
  /** Observes each finished step; whatever it throws stops the publish there, as a crash would (fault tests). */
  readonly afterStep?: (step: PublishStep) => void | Promise<void>;
}

/**
 * Builds `snapshot-<time>.partial/` of hard links to cache blobs (bootloaders unpacked), writes its manifest,
 * renames it complete, then swaps `current` to it. On failure the partial tree is removed and `current` still
 * points at the previous complete snapshot; after a crash, pruning removes what was left.
 */
export async function publishSnapshot(options: PublishOptions): Promise<CurrentSnapshot> {
  const { dataDir, plan, signal } = options;
  const step = async (name: PublishStep): Promise<void> => {
    signal?.throwIfAborted();
    await options.afterStep?.(name);
  };
  await mkdir(dataDir, { recursive: true });
  const name = await freeName(dataDir, options.now ?? new Date());
  const partial = join(dataDir, name + PARTIAL_SUFFIX);
  const dir = join(dataDir, name);
  try {
    await mkdir(partial);
    for (const file of plan.files) {
      signal?.throwIfAborted();
      const target = join(partial, file.path);
      await mkdir(dirname(target), { recursive: true });
      await linkBlob(options.blobPath(file.sha256), target, file.sha256, file.path);
    }
    await step('linked');
    for (const [archiveDir, archives] of groupByDir(plan.archives)) {
      const sources = archives.map((a) => ({ path: options.blobPath(a.sha256), label: formatItemRef(a.ref) }));
      for (const a of archives) await requireBlob(options.blobPath(a.sha256), a.sha256, a.dir);
      await unpackArchives(sources, join(partial, archiveDir), partial, signal);
    }
    // The bootloaders at the root, where firmware asks for them (`/images/bootx64.efi`); a few stats, once a sync.
    for (const root of bootloaderRootLinks((relative) => existsSync(join(partial, relative)))) {
      await symlink(root.target, join(partial, root.path));
    }
    if (options.maasMeta !== undefined) await writeFile(join(partial, 'maas.meta'), options.maasMeta, { mode: 0o644 });
    await step('unpacked');
    const files = await stampTree(partial);
    const manifest: SnapshotManifest = { name, createdAt: new Date().toISOString(), plan, ...(options.source ? { source: options.source } : {}), files };
    await writeFile(join(partial, MANIFEST_FILE), JSON.stringify(manifest));
    await fsyncPath(join(partial, MANIFEST_FILE));
    await fsyncPath(partial);
    await step('manifest-written');
    await rename(partial, dir);
    await fsyncPath(dataDir);
    await step('renamed');
    await swapCurrent(dataDir, name);
    await step('swapped');
    return { name, dir, manifest };
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
}

async function freeName(dataDir: string, at: Date): Promise<string> {
  // Two publishes within one millisecond (tests, quick retries) must not share a directory.
  for (let t = at.getTime(); ; t += 1) {
    const name = snapshotName(new Date(t));
    const taken = await Promise.all([name, name + PARTIAL_SUFFIX].map((n) => stat(join(dataDir, n)).then(() => true, () => false)));
    if (!taken.includes(true)) return name;
  }
}

async function linkBlob(blob: string, target: string, sha256: string, path: string): Promise<void> {
  try {
    await link(blob, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new SnapshotBlobMissingError(sha256, path);
    throw err;
  }
}

async function requireBlob(blob: string, sha256: string, path: string): Promise<void> {
  if (!(await stat(blob).then((s) => s.isFile(), () => false))) throw new SnapshotBlobMissingError(sha256, path);
}

function groupByDir(archives: readonly SnapshotArchive[]): Map<string, SnapshotArchive[]> {
  const groups = new Map<string, SnapshotArchive[]>();
  for (const a of archives) groups.set(a.dir, [...(groups.get(a.dir) ?? []), a]);
  return groups;
}
