import type { Queryable } from './database.js';
import { nowIso } from './rows.js';

/** What the region keeps of its own identity: the secret racks present, and its id (its Redis keys' prefix). */
export type RegionIdentityKey = 'secret' | 'region_id';

/**
 * The region's identity in its database, so every region of one database is one region to the racks: the same
 * secret, the same Redis prefix. Written once, by the first region (or `apikey`) to start; never changed after.
 */
export class RegionIdentityRepository {
  constructor(private readonly db: Queryable) {}

  /** The stored value of `key`, storing `candidate` first if there is none yet: whoever stores first wins. */
  async adopt(key: RegionIdentityKey, candidate: string): Promise<string> {
    await this.db.kysely
      .insertInto('region_identity')
      .values({ key, value: candidate, created: nowIso() })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await this.db.kysely.selectFrom('region_identity').select('value').where('key', '=', key).executeTakeFirstOrThrow();
    return row.value;
  }
}
