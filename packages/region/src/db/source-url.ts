import { isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';

/**
 * A boot source's URL as MAAS's BootSource.url (a Django URLField, Django 4.2 as MAAS 3.x ships it) takes it: the
 * form field's cleaning (`forms.URLField.to_python`), the model's trailing-slash strip, and the validators
 * (`URLValidator`, at most 200 characters). One extension: `file:///path` names a mirror on the region's disk
 * (docs/operations.md, Local image mirror). Pure: no I/O.
 */

/** Django's URLField max_length. */
const MAX_URL_LENGTH = 200;
const INVALID = 'Enter a valid URL.';

interface SplitUrl {
  scheme: string;
  netloc: string;
  path: string;
  query: string;
  fragment: string;
}

const SCHEME_CHARS = /^[A-Za-z0-9+.-]+$/;
/** Python's urllib.parse.uses_netloc, the schemes urlunsplit writes `//` for. */
const USES_NETLOC = new Set(['', 'ftp', 'http', 'gopher', 'nntp', 'telnet', 'imap', 'wais', 'file', 'mms', 'https', 'shttp', 'snews', 'prospero', 'rtsp', 'rtspu', 'rsync', 'svn', 'svn+ssh', 'sftp', 'nfs', 'git', 'git+ssh', 'ws', 'wss']);

/** Python 3.11's urllib.parse.urlsplit; undefined where it raises ValueError (an unbalanced IPv6 bracket). */
function urlsplit(raw: string): SplitUrl | undefined {
  let url = raw.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  let netloc = '';
  let query = '';
  let fragment = '';
  const colon = url.indexOf(':');
  if (colon > 0 && /^[A-Za-z]/.test(url) && SCHEME_CHARS.test(url.slice(0, colon))) {
    scheme = url.slice(0, colon).toLowerCase();
    url = url.slice(colon + 1);
  }
  if (url.startsWith('//')) {
    const rest = url.slice(2);
    const end = rest.search(/[/?#]/);
    netloc = end < 0 ? rest : rest.slice(0, end);
    url = end < 0 ? '' : rest.slice(end);
    if (netloc.includes('[') !== netloc.includes(']')) return undefined;
  }
  const hash = url.indexOf('#');
  if (hash >= 0) [url, fragment] = [url.slice(0, hash), url.slice(hash + 1)];
  const question = url.indexOf('?');
  if (question >= 0) [url, query] = [url.slice(0, question), url.slice(question + 1)];
  return { scheme, netloc, path: url, query, fragment };
}

/** Python 3.11's urllib.parse.urlunsplit. */
function urlunsplit({ scheme, netloc, path, query, fragment }: SplitUrl): string {
  let url = path;
  if (netloc || (scheme && USES_NETLOC.has(scheme) && !url.startsWith('//'))) {
    if (url && !url.startsWith('/')) url = `/${url}`;
    url = `//${netloc}${url}`;
  }
  if (scheme) url = `${scheme}:${url}`;
  if (query) url = `${url}?${query}`;
  if (fragment) url = `${url}#${fragment}`;
  return url;
}

/**
 * What MAAS stores for a URL as sent: stripped, `http://` assumed without a scheme (`mirror.example/maas/` is
 * `http://mirror.example/maas`), without its trailing slashes. A value urlsplit refuses is kept for the validator.
 */
export function normalizeSourceUrl(url: string): string {
  const value = url.trim();
  let split = value === '' ? undefined : urlsplit(value);
  if (split) {
    if (!split.scheme) split.scheme = 'http';
    // Django: with no domain, the path segment is taken to hold the domain.
    if (!split.netloc) split = urlsplit(urlunsplit({ ...split, netloc: split.path, path: '' }));
  }
  return (split ? urlunsplit(split) : value).replace(/\/+$/, '');
}

/** MAAS's default for `skip_keyring_verification`: true only for a URL naming an unsigned `.json` index. */
export function skipsVerificationByDefault(url: string): boolean {
  return normalizeSourceUrl(url).endsWith('.json');
}

// Django 4.2's URLValidator patterns (django/core/validators.py), unchanged.
const UL = '\u00a1-\uffff';
const IPV4 = '(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)(?:\\.(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)){3}';
const IPV6 = '\\[[0-9a-f:.]+\\]';
const HOSTNAME = `[a-z${UL}0-9](?:[a-z${UL}0-9-]{0,61}[a-z${UL}0-9])?`;
const DOMAIN = `(?:\\.(?!-)[a-z${UL}0-9-]{1,63}(?<!-))*`;
const TLD = `\\.(?!-)(?:[a-z${UL}-]{2,63}|xn--[a-z0-9]{1,59})(?<!-)\\.?`;
const HOST = `(${HOSTNAME}${DOMAIN}${TLD}|localhost)`;
const URL_PATTERN = new RegExp(
  `^(?:[a-z0-9.+-]*)://(?:[^\\s:@/]+(?::[^\\s:@/]*)?@)?(?:${IPV4}|${IPV6}|${HOST})(?::[0-9]{1,5})?(?:[/?#][^\\s]*)?$`,
  'i',
);
/** Django's URLValidator schemes are http, https, ftp and ftps; bootsync reads no ftp mirror, and reads file://. */
const HTTP_SCHEMES = new Set(['http', 'https']);

/** Django's URLValidator, for an http(s) URL. */
function httpUrlValid(value: string): boolean {
  if (value.length > 2048 || /[\t\r\n]/.test(value)) return false;
  const split = urlsplit(value);
  if (!split) return false;
  if (!URL_PATTERN.test(value)) {
    // Django's second try: the netloc as IDNA (punycode), for hosts the pattern's letters do not cover.
    const ascii = idna(split.netloc);
    if (ascii === undefined || !URL_PATTERN.test(urlunsplit({ ...split, netloc: ascii }))) return false;
  } else {
    const bracketed = /^\[(.+)\](?::[0-9]{1,5})?$/.exec(split.netloc);
    if (bracketed && !isIPv6(bracketed[1]!)) return false;
  }
  const hostname = hostnameOf(split.netloc);
  return hostname !== '' && hostname.length <= 253;
}

/** The host of a netloc as Python's SplitResult.hostname (no user info, port or brackets; lower case). */
function hostnameOf(netloc: string): string {
  const host = netloc.slice(netloc.lastIndexOf('@') + 1);
  const bracketed = /^\[([^\]]*)\]/.exec(host);
  return (bracketed ? bracketed[1]! : host.split(':')[0]!).toLowerCase();
}

function idna(netloc: string): string | undefined {
  const at = netloc.lastIndexOf('@') + 1;
  const [host, ...port] = netloc.slice(at).split(':');
  const ascii = domainToASCII(host ?? '');
  return ascii === '' ? undefined : `${netloc.slice(0, at)}${[ascii, ...port].join(':')}`;
}

/** A file:// URL of an absolute path on the region (no host but localhost). */
function fileUrlValid(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.hostname === '' || url.hostname === 'localhost') && url.pathname.length > 1 && !url.search && !url.hash;
  } catch {
    return false;
  }
}

/** The errors MAAS's URLField gives a (normalized) URL, in its order; [] when it is a valid source URL. */
export function sourceUrlErrors(url: string): string[] {
  const scheme = urlsplit(url)?.scheme ?? '';
  const errors: string[] = [];
  if (scheme === 'ftp' || scheme === 'ftps') {
    errors.push(`bootsync reads mirrors over http, https or file:// only, not ${scheme}.`);
  } else if (!(scheme === 'file' ? fileUrlValid(url) : HTTP_SCHEMES.has(scheme) && httpUrlValid(url))) {
    errors.push(INVALID);
  }
  if (url.length > MAX_URL_LENGTH) errors.push(`Ensure this value has at most ${MAX_URL_LENGTH} characters (it has ${url.length}).`);
  return errors;
}
