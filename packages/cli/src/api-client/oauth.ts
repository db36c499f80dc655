import { randomInt } from 'node:crypto';
import { BootsyncError } from '@bootsync/shared/errors';
import type { CommandErrorCode } from '../errors/index.js';

export interface ApiKeyParts {
  readonly consumerKey: string;
  readonly tokenKey: string;
  readonly tokenSecret: string;
}

export class ApiKeyFormatError extends BootsyncError<CommandErrorCode> {
  constructor() {
    super('CLI_ERR_API_KEY', "an API key has three parts, 'consumer_key:token_key:token_secret' (bootsync-region apikey prints one)");
  }
}

export function parseApiKey(key: string): ApiKeyParts {
  const parts = key.trim().split(':');
  if (parts.length !== 3 || parts.some((p) => p === '')) throw new ApiKeyFormatError();
  const [consumerKey, tokenKey, tokenSecret] = parts as [string, string, string];
  return { consumerKey, tokenKey, tokenSecret };
}

/**
 * The header maascli sends (oauthlib, PLAINTEXT, empty consumer secret): the signature is `&<token secret>`,
 * percent-encoded as every OAuth parameter is.
 */
export function plaintextOAuthHeader(key: ApiKeyParts, now: Date = new Date()): string {
  const params: [string, string][] = [
    ['oauth_nonce', String(randomInt(2 ** 47))],
    ['oauth_timestamp', String(Math.floor(now.getTime() / 1000))],
    ['oauth_version', '1.0'],
    ['oauth_signature_method', 'PLAINTEXT'],
    ['oauth_consumer_key', key.consumerKey],
    ['oauth_token', key.tokenKey],
    ['oauth_signature', `&${key.tokenSecret}`],
  ];
  return `OAuth ${params.map(([k, v]) => `${k}="${oauthEncode(v)}"`).join(', ')}`;
}

/** RFC 5849 §3.6: everything but unreserved characters percent-encoded. */
function oauthEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
