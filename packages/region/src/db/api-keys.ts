import { randomInt } from 'node:crypto';
import type { Db } from './connection.js';
import { NotFoundError } from './errors.js';
import { nowIso } from './rows.js';
import type { ApiKey } from './types.js';

interface KeyRow {
  consumer_key: string;
  token_key: string;
  token_secret: string;
  name: string;
  is_superuser: number;
  created: string;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random alphanumeric strings, the lengths MAAS uses (18 for keys, 32 for the secret). */
function randomToken(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

function toApiKey(r: KeyRow): ApiKey {
  return {
    consumerKey: r.consumer_key,
    tokenKey: r.token_key,
    tokenSecret: r.token_secret,
    name: r.name,
    isSuperuser: r.is_superuser === 1,
    created: r.created,
  };
}

/** Formats a key as the `maas login` argument: `consumer:token:secret`. */
export function formatApiKey(key: ApiKey): string {
  return `${key.consumerKey}:${key.tokenKey}:${key.tokenSecret}`;
}

export const ADMIN_KEY_NAME = 'admin';

/** OAuth 1.0 API keys (MAAS's three-part keys). */
export class ApiKeyRepository {
  constructor(private readonly db: Db) {}

  /** A new key for user `name`; an admin's (MAAS superuser) unless told otherwise, as every key before users. */
  create(name: string, options: { isSuperuser?: boolean } = {}): ApiKey {
    const row: KeyRow = {
      consumer_key: randomToken(18),
      token_key: randomToken(18),
      token_secret: randomToken(32),
      name,
      is_superuser: options.isSuperuser === false ? 0 : 1,
      created: nowIso(),
    };
    this.db
      .prepare('INSERT INTO api_keys (consumer_key, token_key, token_secret, name, is_superuser, created) VALUES (?, ?, ?, ?, ?, ?)')
      .run(row.consumer_key, row.token_key, row.token_secret, row.name, row.is_superuser, row.created);
    return toApiKey(row);
  }

  /**
   * The key of user `name`, created on first use (`bootsync-region apikey --user NAME [--admin]`). A user is an
   * admin when created with `admin`, and `admin` later makes an existing user one; it never takes admin away.
   */
  ensureUser(name: string, admin: boolean): ApiKey {
    return this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT * FROM api_keys WHERE name = ? ORDER BY created LIMIT 1').get(name) as KeyRow | undefined;
        if (!row) return this.create(name, { isSuperuser: admin });
        if (admin && row.is_superuser === 0) {
          this.db.prepare('UPDATE api_keys SET is_superuser = 1 WHERE name = ?').run(name);
          return toApiKey({ ...row, is_superuser: 1 });
        }
        return toApiKey(row);
      })
      .immediate();
  }

  list(): ApiKey[] {
    return (this.db.prepare('SELECT * FROM api_keys ORDER BY created, token_key').all() as KeyRow[]).map(toApiKey);
  }

  /** The key an OAuth request names by its token key (`oauth_token`), if any. */
  findByTokenKey(tokenKey: string): ApiKey | undefined {
    const row = this.db.prepare('SELECT * FROM api_keys WHERE token_key = ?').get(tokenKey) as KeyRow | undefined;
    return row && toApiKey(row);
  }

  /** The admin key, created on first use; the same one on every later call. */
  ensureAdmin(): ApiKey {
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare('SELECT * FROM api_keys WHERE name = ? ORDER BY created LIMIT 1')
          .get(ADMIN_KEY_NAME) as KeyRow | undefined;
        return row ? toApiKey(row) : this.create(ADMIN_KEY_NAME);
      })
      .immediate();
  }

  delete(tokenKey: string): void {
    const { changes } = this.db.prepare('DELETE FROM api_keys WHERE token_key = ?').run(tokenKey);
    if (changes === 0) throw new NotFoundError('ApiKey', tokenKey);
  }
}
