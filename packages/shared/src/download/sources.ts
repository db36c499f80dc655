import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ItemRef } from '../streams/index.js';
import { HttpStatusError, SourceFileError, UnsupportedSourceError } from './errors.js';
import { followRedirects } from './follow-redirects.js';
import { receive, type ChunkSink } from './receive.js';

/** A body on its way: fed to a sink, or dropped. */
interface PayloadBody {
  /** Resolves once the body has ended and the sink took its last chunk; rejects with the first error. */
  deliver(sink: ChunkSink): Promise<void>;
  dump(): Promise<void>;
}

/** The body of one attempt, and where in the file it starts. */
interface OpenedBody {
  /** The requested offset when the source resumed; 0 when it sends the whole file (the partial starts over). */
  readonly start: number;
  /** What proves on the next attempt that the file is still the same (ETag, Last-Modified, size+mtime). */
  readonly validator: string | undefined;
  readonly body: PayloadBody;
}

/** Where the bytes of a file come from; one download loop serves every kind. */
export interface ByteSource {
  open(offset: number, validator: string | undefined, signal: AbortSignal | undefined): Promise<OpenedBody>;
}

export interface PayloadResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: PayloadBody;
}

/** One HTTP client's GET, as payloads use it. */
export interface PayloadClient {
  get(url: URL, headers: Readonly<Record<string, string>>, signal: AbortSignal | undefined): Promise<PayloadResponse>;
}

export interface HttpSettings {
  readonly headers: Readonly<Record<string, string>>;
  /** The client for a URL of the chain: bootsync's own for plain http without a proxy, else undici. */
  readonly clientFor: (url: URL) => Promise<PayloadClient>;
}

const FILE_READ_CHUNK = 1 << 20;

export function sourceFor(url: string, ref: ItemRef | undefined, http: HttpSettings): ByteSource {
  if (/^https?:\/\//i.test(url)) return new HttpSource(new URL(url), ref, http);
  if (/^file:/i.test(url)) return new FileSource(url, fileURLToPath(url), ref);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new UnsupportedSourceError(url);
  return new FileSource(url, path.resolve(url), ref);
}

class HttpSource implements ByteSource {
  constructor(
    readonly url: URL,
    readonly ref: ItemRef | undefined,
    readonly http: HttpSettings,
  ) {}

  async open(offset: number, validator: string | undefined, signal: AbortSignal | undefined): Promise<OpenedBody> {
    const resume = offset > 0 && validator !== undefined;
    const headers: Record<string, string> = { ...this.http.headers };
    // If-Range: the server sends the rest only if the file is unchanged, otherwise the whole new file (200).
    if (resume) Object.assign(headers, { range: `bytes=${offset}-`, 'if-range': validator });
    const get = async (url: URL, h: Readonly<Record<string, string>>): Promise<PayloadResponse> => (await this.http.clientFor(url)).get(url, h, signal);
    const { response: res } = await followRedirects(this.url, headers, get, (r) => r.body.dump());
    const next = responseValidator(res.headers);
    if (res.statusCode === 200) return { start: 0, validator: next, body: res.body };
    if (res.statusCode === 206 && resume && rangeStart(res.headers['content-range']) === offset) {
      return { start: offset, validator, body: res.body };
    }
    await res.body.dump();
    // A 416 or a range we did not ask for: the partial cannot be continued, so fetch the file whole.
    if (resume && (res.statusCode === 206 || res.statusCode === 416)) return this.open(0, undefined, signal);
    const asksToWait = res.statusCode === 503 || res.statusCode === 429;
    throw new HttpStatusError(this.url.href, res.statusCode, this.ref, asksToWait ? retryAfterMs(first(res.headers['retry-after'])) : undefined);
  }
}

class FileSource implements ByteSource {
  constructor(
    readonly url: string,
    readonly file: string,
    readonly ref: ItemRef | undefined,
  ) {}

  async open(offset: number, validator: string | undefined, signal: AbortSignal | undefined): Promise<OpenedBody> {
    let current: string;
    try {
      const s = await stat(this.file);
      current = `${s.size}:${s.mtimeMs}`;
    } catch (err) {
      throw new SourceFileError(this.url, this.ref, err);
    }
    const start = offset > 0 && validator === current ? offset : 0;
    const stream = createReadStream(this.file, { start, highWaterMark: FILE_READ_CHUNK, ...(signal ? { signal } : {}) });
    const body: PayloadBody = {
      deliver: (sink) => receive(stream, sink),
      dump: async () => void stream.destroy(),
    };
    return { start, validator: current, body };
  }
}

/** A strong ETag, else Last-Modified: If-Range needs a strong validator, weak ETags never match. */
function responseValidator(headers: Record<string, string | string[] | undefined>): string | undefined {
  const etag = first(headers.etag);
  if (etag && !etag.startsWith('W/')) return etag;
  return first(headers['last-modified']);
}

/** Retry-After as delay-seconds or an HTTP date, in ms from now; undefined when absent or unreadable. Pure but for the clock. */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function rangeStart(contentRange: string | string[] | undefined): number | undefined {
  const m = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(first(contentRange) ?? '');
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
