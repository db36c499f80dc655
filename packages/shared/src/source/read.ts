import { readFile } from 'node:fs/promises';
import { getGlobalDispatcher, type Dispatcher } from 'undici';
// The files themselves, not the download index: a process that only reads documents loads no store code.
import { RedirectError } from '../download/errors.js';
import { getFollowingRedirects } from '../download/redirects.js';
import { MirrorReadError } from './errors.js';
import { localPath } from './location.js';

export interface ReadOptions {
  readonly signal?: AbortSignal;
  /** Sent with every HTTP request, e.g. a rack's credentials for its region's stream. */
  readonly headers?: Readonly<Record<string, string>>;
  /** @defaultValue undici's global dispatcher */
  readonly dispatcher?: Dispatcher;
}

const USER_AGENT = 'bootsync';

/**
 * The whole content of a mirror file (index, products, signature; never a payload, those go through the
 * downloader). `location` is what `locate` returned: an http(s) or file URL, or a plain path.
 */
export async function readLocation(location: string, options: ReadOptions = {}): Promise<Buffer> {
  const path = localPath(location);
  return path === undefined ? readHttp(location, options) : readLocal(location, path, options.signal);
}

async function readLocal(location: string, path: string, signal: AbortSignal | undefined): Promise<Buffer> {
  try {
    return await readFile(path, { signal });
  } catch (cause) {
    const notFound = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new MirrorReadError(location, { notFound, cause });
  }
}

async function readHttp(url: string, options: ReadOptions): Promise<Buffer> {
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
  try {
    return Buffer.from(await response.body.arrayBuffer());
  } catch (cause) {
    throw new MirrorReadError(url, { cause });
  }
}
