import { randomInt } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Queryable } from './database.js';
import { NotFoundError } from './errors.js';
import { nowIso, toBool } from './rows.js';
import type { ApiKeysTable } from './schema.js';
import { exclusively } from './transactions.js';
import type { ApiKey } from './types.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random alphanumeric strings, the lengths MAAS uses (18 for keys, 32 for the secret). */
function randomToken(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

function toApiKey(r: Selectable<ApiKeysTable>): ApiKey {
  return {
    consumerKey: r.consumer_key,
    tokenKey: r.token_key,
    tokenSecret: r.token_secret,
    name: r.name,
    isSuperuser: toBool(r.is_superuser),
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
  constructor(private readonly db: Queryable) {}

  /** A new key for user `name`; an admin's (MAAS superuser) unless told otherwise, as every key before users. */
  async create(name: string, options: { isSuperuser?: boolean } = {}): Promise<ApiKey> {
    const row = {
      consumer_key: randomToken(18),
      token_key: randomToken(18),
      token_secret: randomToken(32),
      name,
      is_superuser: options.isSuperuser === false ? (0 as const) : (1 as const),
      created: nowIso(),
    };
    await this.db.kysely.insertInto('api_keys').values(row).execute();
    return toApiKey(row);
  }

  /**
   * The key of user `name`, created on first use (`bootsync-region apikey --user NAME [--admin]`). A user is an
   * admin when created with `admin`, and `admin` later makes an existing user one; it never takes admin away.
   */
  async ensureUser(name: string, admin: boolean): Promise<ApiKey> {
    return exclusively(this.db, 'api_keys', async (trx) => {
      const row = await firstKeyOf(trx, name);
      if (!row) return new ApiKeyRepository(trx).create(name, { isSuperuser: admin });
      if (admin && !toBool(row.is_superuser)) {
        await trx.kysely.updateTable('api_keys').set({ is_superuser: 1 }).where('name', '=', name).execute();
        return toApiKey({ ...row, is_superuser: 1 });
      }
      return toApiKey(row);
    });
  }

  async list(): Promise<ApiKey[]> {
    const rows = await this.db.kysely.selectFrom('api_keys').selectAll().orderBy('created').orderBy('token_key').execute();
    return rows.map(toApiKey);
  }

  /** The key an OAuth request names by its token key (`oauth_token`), if any. */
  async findByTokenKey(tokenKey: string): Promise<ApiKey | undefined> {
    const row = await this.db.kysely.selectFrom('api_keys').selectAll().where('token_key', '=', tokenKey).executeTakeFirst();
    return row && toApiKey(row);
  }

  /** The admin key, created on first use; the same one on every later call. */
  async ensureAdmin(): Promise<ApiKey> {
    return exclusively(this.db, 'api_keys', async (trx) => {
      const row = await firstKeyOf(trx, ADMIN_KEY_NAME);
      return row ? toApiKey(row) : new ApiKeyRepository(trx).create(ADMIN_KEY_NAME);
    });
  }

  async delete(tokenKey: string): Promise<void> {
    const { numDeletedRows } = await this.db.kysely.deleteFrom('api_keys').where('token_key', '=', tokenKey).executeTakeFirst();
    if (numDeletedRows === 0n) throw new NotFoundError('ApiKey', tokenKey);
  }
}

/** The first key made for user `name`. */
function firstKeyOf(db: Queryable, name: string): Promise<Selectable<ApiKeysTable> | undefined> {
  return db.kysely.selectFrom('api_keys').selectAll().where('name', '=', name).orderBy('created').orderBy('token_key').limit(1).executeTakeFirst();
}
