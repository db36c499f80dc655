import { sameSecret } from '../identity/index.js';
import { UnauthorizedError } from './errors.js';

/** The three parts of a MAAS API key `consumer_key:token_key:token_secret`. */
export interface ApiKeyParts {
  readonly consumerKey: string;
  readonly tokenKey: string;
  readonly tokenSecret: string;
}

/** Who is calling; `username` is what `users/?op=whoami` answers. */
export interface ApiUser {
  readonly username: string;
  readonly isSuperuser: boolean;
}

/** The OAuth parameters of an `Authorization: OAuth k="v", ...` header, percent-decoded (RFC 5849 §3.5.1). */
export function parseOAuthHeader(header: string): Map<string, string> {
  const m = /^\s*OAuth\s+(.*)$/is.exec(header);
  if (!m) throw new UnauthorizedError('Authorization header is not an OAuth header.');
  const params = new Map<string, string>();
  for (const pair of m[1]!.split(',')) {
    const kv = /^\s*([A-Za-z0-9_.~%-]+)\s*=\s*"([^"]*)"\s*$/.exec(pair);
    if (!kv) {
      if (pair.trim() === '') continue;
      throw new UnauthorizedError('Malformed OAuth Authorization header.');
    }
    try {
      params.set(decodeURIComponent(kv[1]!), decodeURIComponent(kv[2]!));
    } catch {
      throw new UnauthorizedError('Malformed OAuth Authorization header (bad percent-encoding).');
    }
  }
  return params;
}

/**
 * Checks a PLAINTEXT-signed request as maascli (oauthlib) signs it: the signature is `consumer_secret&token_secret`
 * with an empty consumer secret, sent percent-encoded (`%26<secret>`). `lookup` finds the stored key by its token.
 * Returns the caller's user; throws UnauthorizedError with a reason that never echoes the secret.
 */
export async function verifyPlaintextOAuth<K extends ApiKeyParts>(
  header: string | undefined,
  lookup: (tokenKey: string) => Promise<K | undefined>,
): Promise<K> {
  if (header === undefined || header === '') throw new UnauthorizedError('Authentication credentials were not provided.');
  const p = parseOAuthHeader(header);
  const method = p.get('oauth_signature_method');
  if (method !== 'PLAINTEXT') {
    throw new UnauthorizedError(`Unsupported OAuth signature method '${method ?? '(none)'}': only PLAINTEXT is accepted.`);
  }
  const tokenKey = p.get('oauth_token');
  const consumerKey = p.get('oauth_consumer_key');
  const signature = p.get('oauth_signature');
  if (!tokenKey || !consumerKey || signature === undefined) {
    throw new UnauthorizedError('OAuth header lacks oauth_consumer_key, oauth_token or oauth_signature.');
  }
  const key = await lookup(tokenKey);
  if (!key || key.consumerKey !== consumerKey || !sameSecret(signature, `&${key.tokenSecret}`)) {
    // MAAS's words for a key it does not know (api/auth.py OAuthUnauthorized); for a known consumer with another
    // token or secret MAAS names the token or the signature base string it expected, which bootsync never echoes.
    throw new UnauthorizedError('Authorization Error: Invalid API key.');
  }
  return key;
}
