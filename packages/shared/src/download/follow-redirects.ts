import { RedirectError } from './errors.js';

/** Hops followed before giving up (curl -L and python requests follow more; a mirror or CDN needs one or two). */
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Not sent on to another host, as curl -L and python requests do not. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

/** What following a redirect needs of a response, whichever HTTP client got it. */
export interface RedirectableResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * The redirect rules of getFollowingRedirects over any HTTP client: `get` sends one GET, `dump` drops the body of
 * a redirect. Resolves with the first answer that is not a redirect and the URL that gave it.
 */
export async function followRedirects<R extends RedirectableResponse>(
  url: URL,
  initialHeaders: Readonly<Record<string, string>>,
  get: (url: URL, headers: Readonly<Record<string, string>>) => Promise<R>,
  dump: (response: R) => Promise<void>,
): Promise<{ response: R; url: URL }> {
  const chain: URL[] = [url];
  let current = url;
  let headers: Record<string, string> = { ...initialHeaders };
  for (;;) {
    const response = await get(current, headers);
    const location = first(response.headers.location);
    if (!REDIRECT_STATUSES.has(response.statusCode) || location === undefined) return { response, url: current };
    await dump(response);
    const next = nextUrl(chain, current, location);
    if (next.hostname !== current.hostname) headers = withoutCredentials(headers);
    chain.push(next);
    current = next;
  }
}

/** Where a redirect leads, or a RedirectError when it must not be followed. Pure. */
function nextUrl(chain: readonly URL[], current: URL, location: string): URL {
  const hrefs = chain.map((u) => u.href);
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    throw new RedirectError(hrefs, location, 'Location is not a URL');
  }
  next.hash = '';
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new RedirectError(hrefs, next.href, `${next.protocol.replace(/:$/, '')} is not http(s)`);
  }
  if (hrefs.includes(next.href)) throw new RedirectError(hrefs, next.href, 'redirect loop');
  if (chain.length > MAX_REDIRECTS) throw new RedirectError(hrefs, next.href, `more than ${MAX_REDIRECTS} redirects`);
  return next;
}

function withoutCredentials(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name.toLowerCase())));
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
