import { request, type Dispatcher } from 'undici';
import { followRedirects } from './follow-redirects.js';

export { MAX_REDIRECTS } from './follow-redirects.js';

export interface GetOptions {
  /** The connection pool for each URL of the chain (a proxy for some hosts, direct for others). */
  readonly dispatcherFor: (url: URL) => Dispatcher;
  readonly headers: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal | undefined;
  readonly headersTimeout?: number;
  readonly bodyTimeout?: number;
}

export interface FollowedResponse {
  readonly response: Dispatcher.ResponseData;
  /** The URL that answered (the last of the chain). */
  readonly url: URL;
}

/**
 * A GET that follows redirects as curl -L does: up to MAX_REDIRECTS hops, to http and https only, never in a loop;
 * credentials stay with the host they were meant for. One piece of code for mirror documents and payloads.
 * Anything else fails with a RedirectError naming the chain.
 */
export async function getFollowingRedirects(url: URL, options: GetOptions): Promise<FollowedResponse> {
  const get = (current: URL, headers: Readonly<Record<string, string>>): Promise<Dispatcher.ResponseData> =>
    request(current, {
      method: 'GET',
      headers,
      dispatcher: options.dispatcherFor(current),
      signal: options.signal,
      ...(options.headersTimeout !== undefined ? { headersTimeout: options.headersTimeout } : {}),
      ...(options.bodyTimeout !== undefined ? { bodyTimeout: options.bodyTimeout } : {}),
    });
  return followRedirects(url, options.headers, get, (response) => response.body.dump());
}
