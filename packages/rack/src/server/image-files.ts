import { open, realpath, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { CURRENT_LINK } from '../snapshot/index.js';

export interface OpenedImage {
  readonly handle: FileHandle;
  readonly size: number;
  readonly etag: string;
  readonly modified: Date;
}

/**
 * Opens a file of the current snapshot from the path of an `/images/...` URL, or returns undefined. Segments are
 * percent-decoded one by one, so `%2e%2e` and `%2f` are judged after decoding; `.`/`..`/hidden names are refused, and
 * the real path (symlinks followed) must still be inside the snapshot the request started from.
 */
export async function openImage(dataDir: string, urlPath: string): Promise<OpenedImage | undefined> {
  const segments = decodeSegments(urlPath);
  if (!segments) return undefined;
  let root: string;
  let real: string;
  try {
    root = await realpath(join(dataDir, CURRENT_LINK));
    real = await realpath(join(root, ...segments));
  } catch {
    return undefined;
  }
  if (!real.startsWith(root + sep)) return undefined;
  const handle = await open(real, 'r').catch(() => undefined);
  if (!handle) return undefined;
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    return undefined;
  }
  // Hard links keep their inode across snapshots, so an unchanged image keeps its ETag after a sync.
  const etag = `"${stats.ino.toString(36)}-${stats.size.toString(36)}-${Math.floor(stats.mtimeMs).toString(36)}"`;
  return { handle, size: stats.size, etag, modified: stats.mtime };
}

function decodeSegments(urlPath: string): string[] | undefined {
  const raw = urlPath.split('?')[0]!.split('/').filter((s) => s !== '');
  const out: string[] = [];
  for (const s of raw) {
    let segment: string;
    try {
      segment = decodeURIComponent(s);
    } catch {
      return undefined;
    }
    if (segment.startsWith('.') || /[/\\\0]/.test(segment)) return undefined;
    out.push(segment);
  }
  return out.length > 0 ? out : undefined;
}
