import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE } from './snapshot-names.js';

/** What a file looked like when it was published, verified: a later change of either means its bytes changed. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

export function stampOf(stats: Pick<Stats, 'size' | 'mtimeMs'>): FileStamp {
  return { size: stats.size, mtimeMs: stats.mtimeMs };
}

/** Same size, and same mtime to the millisecond (what tools that copy times, `touch -r`, `cp -p`, keep). */
export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && Math.trunc(a.mtimeMs) === Math.trunc(b.mtimeMs);
}

/** The stamp of every regular file under `root`, by path relative to it (`/`-separated, sorted), the manifest left out. */
export async function stampTree(root: string): Promise<Record<string, FileStamp>> {
  const stamps: Record<string, FileStamp> = {};
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = prefix + entry.name;
      if (entry.isDirectory()) await walk(join(dir, entry.name), `${path}/`);
      else if (entry.isFile() && path !== MANIFEST_FILE) stamps[path] = stampOf(await lstat(join(dir, entry.name)));
    }
  };
  await walk(root, '');
  return stamps;
}
