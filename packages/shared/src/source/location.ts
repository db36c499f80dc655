import { resolve, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MirrorLocationError } from './errors.js';
import { pathSegments, unsafePathReason } from './relative-path.js';

/**
 * The root every stream `path` is relative to: a URL (http, https or file) ending in `/`, or a directory given as
 * a plain path. Item locations keep the form of the root: URLs for a URL, paths for a plain path.
 */
export type MirrorRoot =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'path'; readonly dir: string };

export interface MirrorLocation {
  readonly root: MirrorRoot;
  /** The index file named by the location (`streams/v1/X.json`), relative to the root; absent for a bare root. */
  readonly indexPath?: string;
}

const STREAM_FILE = /^(.*?)(streams\/v1\/[^/]+\.s?json)$/;

/**
 * Splits a mirror location as simplestreams does: a location ending in `streams/v1/X.json` or `.sjson` names that
 * index and the mirror root is what comes before; anything else is the root itself. Pure.
 */
export function parseMirrorLocation(location: string): MirrorLocation {
  const trimmed = location.trim();
  if (trimmed === '') throw new MirrorLocationError(location, 'empty');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme.length > 1) {
    if (scheme !== 'http' && scheme !== 'https' && scheme !== 'file') {
      throw new MirrorLocationError(location, `unsupported scheme ${scheme}: (http, https and file only)`);
    }
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw new MirrorLocationError(location, 'not a valid URL');
    }
    const href = `${url.origin === 'null' ? 'file://' : url.origin}${url.pathname}`;
    const split = STREAM_FILE.exec(href);
    const base = split ? split[1]! : href;
    return {
      root: { kind: 'url', url: base.endsWith('/') ? base : `${base}/` },
      ...(split ? { indexPath: decodePath(location, split[2]!) } : {}),
    };
  }
  const absolute = resolve(trimmed);
  const split = STREAM_FILE.exec(absolute.split(sep).join('/'));
  return split
    ? { root: { kind: 'path', dir: resolve(split[1]!) }, indexPath: split[2]! }
    : { root: { kind: 'path', dir: absolute } };
}

function decodePath(location: string, encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new MirrorLocationError(location, `bad percent-encoding in ${encoded}`);
  }
}

/**
 * The URL or file path of `relPath` under the mirror root, joined segment by segment: content ids contain colons,
 * which `new URL(path, base)` would read as a scheme. Throws for a path that could leave the root.
 */
export function locate(root: MirrorRoot, relPath: string): string {
  const reason = unsafePathReason(relPath);
  if (reason !== undefined) throw new MirrorLocationError(relPath, `unsafe path under ${describeRoot(root)}: ${reason}`);
  const segments = pathSegments(relPath);
  return root.kind === 'url' ? root.url + segments.map(encodeSegment).join('/') : join(root.dir, ...segments);
}

/** A file system path for a location `locate` returned, or undefined when it is an http(s) URL. */
export function localPath(location: string): string | undefined {
  if (/^https?:/i.test(location)) return undefined;
  return location.startsWith('file:') ? fileURLToPath(location) : location;
}

export function describeRoot(root: MirrorRoot): string {
  return root.kind === 'url' ? root.url : root.dir;
}

/** Percent-encodes what a URL path segment cannot hold, keeping `:` and `@` readable (RFC 3986 pchar). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%(3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/gi, (m) =>
    decodeURIComponent(m),
  );
}
