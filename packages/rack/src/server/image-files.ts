import { closeSync, fstatSync, openSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { CURRENT_LINK } from '../snapshot/index.js';

interface OpenedImage {
  /** The open file (sendFile closes it). */
  readonly fd: number;
  /** Its real path relative to the data dir (`snapshot-<time>/<path>`, symlinks followed): what nginx opens behind us. */
  readonly dataPath: string;
  readonly size: number;
  readonly etag: string;
  readonly modified: Date;
}

/** Opens files of the current snapshot by the path of an `/images/...` URL. */
export type ImageFiles = (urlPath: string) => OpenedImage | undefined;

/**
 * Opens a file of the current snapshot from the path of an `/images/...` URL, or returns undefined. Segments are
 * percent-decoded one by one, so `%2e%2e` and `%2f` are judged after decoding; `.`/`..`/hidden names are refused, and
 * the real path (symlinks followed) must still be inside the snapshot the request started from. `current` is
 * resolved at every request (a swap shows at once); the data dir's own real path once.
 */
export function imageFiles(dataDir: string): ImageFiles {
  let dataReal: string | undefined;
  return (urlPath) => {
    const segments = decodeSegments(urlPath);
    if (!segments) return undefined;
    // Resolved and opened on the event loop, as nginx does: these are a few system calls on cached entries, and each
    // trip through libuv's 4 threads waits behind the file reads of every other response (in a storm of 32 clients,
    // four such trips made the time to first byte several times nginx's).
    let fd: number;
    let root: string;
    let real: string;
    try {
      dataReal ??= realpathSync.native(dataDir);
      root = realpathSync.native(join(dataReal, CURRENT_LINK));
      real = realpathSync.native(join(root, ...segments));
      if (!real.startsWith(root + sep)) return undefined;
      fd = openSync(real, 'r');
    } catch {
      return undefined;
    }
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      closeSync(fd);
      return undefined;
    }
    const dataPath = real.slice(dataReal.length + 1).split(sep).join('/');
    return { fd, dataPath, size: stats.size, etag: fileEtag(stats), modified: stats.mtime };
  };
}

/**
 * nginx's ETag of a file (`"<mtime seconds>-<size>"` in hex), so a rack answers alike with nginx in front of it or
 * not. A hard link shares its blob's mtime, so an unchanged image keeps its ETag across snapshots.
 */
function fileEtag(stats: { readonly size: number; readonly mtimeMs: number }): string {
  return `"${Math.floor(stats.mtimeMs / 1000).toString(16)}-${stats.size.toString(16)}"`;
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
