import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { getGlobalDispatcher, type Dispatcher } from 'undici';
// The files themselves, not the download index: a process that only reads documents loads no store code.
import { RedirectError } from '../download/errors.js';
import { getFollowingRedirects } from '../download/redirects.js';
import { DocumentTooLargeError, MirrorReadError } from './errors.js';
import { localPath } from './location.js';

/** Real MAAS products files are a few MB; a document past this is refused unless the operator raises it. */
export const DEFAULT_MAX_DOCUMENT_SIZE = 64 * 2 ** 20;

export interface ReadOptions {
  readonly signal?: AbortSignal;
  /** Sent with every HTTP request, e.g. a rack's credentials for its region's stream. */
  readonly headers?: Readonly<Record<string, string>>;
  /** @defaultValue undici's global dispatcher */
  readonly dispatcher?: Dispatcher;
  /**
   * Largest document read, in bytes: a larger one fails with DocumentTooLargeError before it is held in memory
   * (from its Content-Length or file size when known, else as soon as the bytes read pass it).
   * @defaultValue DEFAULT_MAX_DOCUMENT_SIZE (64 MiB)
   */
  readonly maxBytes?: number;
}

const USER_AGENT = 'bootsync';

/**
 * The whole content of a mirror file (index, products, signature; never a payload, those go through the
 * downloader). `location` is what `locate` returned: an http(s) or file URL, or a plain path.
 */
export async function readLocation(location: string, options: ReadOptions = {}): Promise<Buffer> {
  const path = localPath(location);
  const limit = options.maxBytes ?? DEFAULT_MAX_DOCUMENT_SIZE;
  return path === undefined ? readHttp(location, limit, options) : readLocal(location, path, limit, options.signal);
}

async function readLocal(location: string, path: string, limit: number, signal: AbortSignal | undefined): Promise<Buffer> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (cause) {
    throw new MirrorReadError(location, { notFound: (cause as NodeJS.ErrnoException).code === 'ENOENT', cause });
  }
  if (size > limit) throw new DocumentTooLargeError(location, { size, sizeKnown: true, limit });
  return readBounded(createReadStream(path, signal ? { signal } : {}), location, limit);
}

async function readHttp(url: string, limit: number, options: ReadOptions): Promise<Buffer> {
  const dispatcher = options.dispatcher ?? getGlobalDispatcher();
  let response: Dispatcher.ResponseData;
  try {
    // images.maas.io redirects (daily → stable), and so do CDNs (http → https, another host).
    ({ response } = await getFollowingRedirects(new URL(url), {
      headers: { 'user-agent': USER_AGENT, ...options.headers },
      signal: options.signal,
      dispatcherFor: () => dispatcher,
    }));
  } catch (cause) {
    if (cause instanceof RedirectError) throw cause;
    throw new MirrorReadError(url, { cause });
  }
  if (response.statusCode < 200 || response.statusCode >= 300) {
    await response.body.dump();
    throw new MirrorReadError(url, { status: response.statusCode });
  }
  const length = Number(first(response.headers['content-length']) ?? NaN);
  if (length > limit) {
    // Closes the connection after at most one chunk, instead of reading what was refused.
    await response.body.dump({ limit: 0 });
    throw new DocumentTooLargeError(url, { size: length, sizeKnown: true, limit });
  }
  return readBounded(response.body, url, limit);
}

/** Reads a body whole, but never more than `limit` bytes of it: past that it is destroyed and refused. */
async function readBounded(body: Readable, location: string, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > limit) {
        body.destroy();
        throw new DocumentTooLargeError(location, { size: bytes, sizeKnown: false, limit });
      }
      chunks.push(chunk);
    }
  } catch (cause) {
    if (cause instanceof DocumentTooLargeError) throw cause;
    throw new MirrorReadError(location, { notFound: (cause as NodeJS.ErrnoException).code === 'ENOENT', cause });
  }
  return Buffer.concat(chunks, bytes);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
