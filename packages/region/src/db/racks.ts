import { createHash } from 'node:crypto';
import type { HeldImage, SyncResult } from '@bootsync/shared/rack-protocol';
import type { Selectable, Updateable } from 'kysely';
import type { Queryable } from './database.js';
import { parseJson, toBool } from './rows.js';
import type { RacksTable } from './schema.js';
import type { RackError, RackRecord } from './types.js';

function toRecord(r: Selectable<RacksTable>): RackRecord {
  return {
    name: r.name,
    registered: r.registered,
    lastSeen: r.last_seen,
    lastSync: r.last_sync,
    syncing: toBool(r.syncing),
    bytesDone: r.bytes_done,
    bytesTotal: r.bytes_total,
    holds: parseJson<HeldImage[]>(r.holds),
    lastResult: r.last_result === null ? null : parseJson<SyncResult>(r.last_result),
    lastError: r.last_error === null ? null : parseJson<RackError>(r.last_error),
  };
}

/** Tokens are kept as sha256 hashes: a copy of the database does not let anyone pose as a rack. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The `racks` table (migration 0002-racks). */
export class RackRepository {
  constructor(private readonly db: Queryable) {}

  async list(): Promise<RackRecord[]> {
    const rows = await this.db.kysely.selectFrom('racks').selectAll().orderBy('name').execute();
    return rows.map(toRecord);
  }

  async find(name: string): Promise<RackRecord | undefined> {
    const row = await this.db.kysely.selectFrom('racks').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toRecord(row);
  }

  async findByToken(token: string): Promise<RackRecord | undefined> {
    const row = await this.db.kysely.selectFrom('racks').selectAll().where('token_sha256', '=', tokenHash(token)).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Registers a rack, or re-registers it with a new token (its state is kept). */
  async register(name: string, token: string, at: string): Promise<RackRecord> {
    const row = await this.db.kysely
      .insertInto('racks')
      .values({ name, token_sha256: tokenHash(token), registered: at, last_seen: at })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet((eb) => ({ token_sha256: eb.ref('excluded.token_sha256'), last_seen: eb.ref('excluded.last_seen') })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  async seen(name: string, at: string): Promise<void> {
    await this.update(name, { last_seen: at });
  }

  async syncStarted(name: string, at: string): Promise<void> {
    await this.update(name, { syncing: 1, bytes_done: 0, bytes_total: 0, last_seen: at });
  }

  async progress(name: string, bytesDone: number, bytesTotal: number, at: string): Promise<void> {
    await this.update(name, { bytes_done: bytesDone, bytes_total: bytesTotal, last_seen: at });
  }

  /** What the rack holds whole, as it said mid-sync (the next success or report replaces it). */
  async holding(name: string, holds: readonly HeldImage[]): Promise<void> {
    await this.update(name, { holds: JSON.stringify(holds) });
  }

  async syncSucceeded(name: string, result: SyncResult, at: string): Promise<void> {
    await this.update(name, {
      syncing: 0,
      last_seen: at,
      last_sync: at,
      holds: JSON.stringify(result.images),
      last_result: JSON.stringify(result),
      last_error: null,
    });
  }

  async syncFailed(name: string, error: RackError): Promise<void> {
    await this.update(name, { syncing: 0, last_seen: error.at, last_error: JSON.stringify(error) });
  }

  /** A sync that ended with no result on record (its job was removed): the rack is no longer syncing. */
  async syncEnded(name: string): Promise<void> {
    await this.update(name, { syncing: 0 });
  }

  async delete(name: string): Promise<boolean> {
    const { numDeletedRows } = await this.db.kysely.deleteFrom('racks').where('name', '=', name).executeTakeFirst();
    return numDeletedRows > 0n;
  }

  /** Changes the row of a rack; a rack not (or no longer) registered is left alone, as its events may still come. */
  private async update(name: string, values: Updateable<RacksTable>): Promise<void> {
    await this.db.kysely.updateTable('racks').set(values).where('name', '=', name).execute();
  }
}
