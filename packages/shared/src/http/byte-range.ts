/** An inclusive byte range of a file, as `Content-Range` states it. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Reads a `Range` header against a file of `size` bytes: a range to send, 'unsatisfiable' (416), or undefined to
 * send the whole file (no header, a unit other than bytes, or several ranges, which RFC 9110 lets a server ignore).
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** True when an `If-None-Match` header names this ETag (or `*`). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/** What to answer a GET/HEAD of a file: a status, its headers, and the bytes to send (none for 304/416). */
export interface FileAnswer {
  readonly status: 200 | 206 | 304 | 416;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: ByteRange;
}

/**
 * The answer to a conditional / ranged request for a file of `size` bytes with this strong ETag (If-None-Match →
 * 304, If-Range that does not match → whole file, Range → 206 or 416). Pure, so every file server answers alike.
 */
export function answerFileRequest(
  request: { readonly range?: string; readonly ifRange?: string; readonly ifNoneMatch?: string },
  size: number,
  etag: string,
): FileAnswer {
  const common = { 'accept-ranges': 'bytes', etag };
  if (etagMatches(request.ifNoneMatch, etag)) return { status: 304, headers: common };
  const range = request.ifRange === undefined || request.ifRange === etag ? parseByteRange(request.range, size) : undefined;
  if (range === 'unsatisfiable') return { status: 416, headers: { ...common, 'content-range': `bytes */${size}` } };
  const body = range ?? { start: 0, end: size - 1 };
  const headers = { ...common, 'content-type': 'application/octet-stream', 'content-length': String(Math.max(0, body.end - body.start + 1)) };
  if (!range) return { status: 200, headers, ...(size > 0 ? { body } : {}) };
  return { status: 206, headers: { ...headers, 'content-range': `bytes ${range.start}-${range.end}/${size}` }, body };
}
