import { createHash } from 'node:crypto';
import type { HeldImage, SyncResult } from '@bootsync/shared/rack-protocol';
import type { Db } from './connection.js';
import type { RackError, RackRecord } from './types.js';

interface RackRow {
  name: string;
  token_sha256: string;
  registered: string;
  last_seen: string | null;
  last_sync: string | null;
  syncing: number;
  bytes_done: number;
  bytes_total: number;
  holds: string;
  last_result: string | null;
  last_error: string | null;
}

function toRecord(r: RackRow): RackRecord {
  return {
    name: r.name,
    registered: r.registered,
    lastSeen: r.last_seen,
    lastSync: r.last_sync,
    syncing: r.syncing === 1,
    bytesDone: r.bytes_done,
    bytesTotal: r.bytes_total,
    holds: JSON.parse(r.holds) as HeldImage[],
    lastResult: r.last_result === null ? null : (JSON.parse(r.last_result) as SyncResult),
    lastError: r.last_error === null ? null : (JSON.parse(r.last_error) as RackError),
  };
}

/** Tokens are kept as sha256 hashes: a copy of the database does not let anyone pose as a rack. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The `racks` table (migration 0002-racks). */
export class RackRepository {
  constructor(private readonly db: Db) {}

  list(): RackRecord[] {
    return (this.db.prepare('SELECT * FROM racks ORDER BY name').all() as RackRow[]).map(toRecord);
  }

  find(name: string): RackRecord | undefined {
    const row = this.db.prepare('SELECT * FROM racks WHERE name = ?').get(name) as RackRow | undefined;
    return row && toRecord(row);
  }

  findByToken(token: string): RackRecord | undefined {
    const row = this.db.prepare('SELECT * FROM racks WHERE token_sha256 = ?').get(tokenHash(token)) as RackRow | undefined;
    return row && toRecord(row);
  }

  /** Registers a rack, or re-registers it with a new token (its state is kept). */
  register(name: string, token: string, at: string): RackRecord {
    this.db
      .prepare(
        `INSERT INTO racks (name, token_sha256, registered, last_seen) VALUES (?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET token_sha256 = excluded.token_sha256, last_seen = excluded.last_seen`,
      )
      .run(name, tokenHash(token), at, at);
    return this.find(name)!;
  }

  seen(name: string, at: string): void {
    this.db.prepare('UPDATE racks SET last_seen = ? WHERE name = ?').run(at, name);
  }

  syncStarted(name: string, at: string): void {
    this.db.prepare('UPDATE racks SET syncing = 1, bytes_done = 0, bytes_total = 0, last_seen = ? WHERE name = ?').run(at, name);
  }

  progress(name: string, bytesDone: number, bytesTotal: number, at: string): void {
    this.db.prepare('UPDATE racks SET bytes_done = ?, bytes_total = ?, last_seen = ? WHERE name = ?').run(bytesDone, bytesTotal, at, name);
  }

  /** What the rack holds whole, as it said mid-sync (the next success or report replaces it). */
  holding(name: string, holds: readonly HeldImage[]): void {
    this.db.prepare('UPDATE racks SET holds = ? WHERE name = ?').run(JSON.stringify(holds), name);
  }

  syncSucceeded(name: string, result: SyncResult, at: string): void {
    this.db
      .prepare(
        `UPDATE racks SET syncing = 0, last_seen = ?, last_sync = ?, holds = ?, last_result = ?, last_error = NULL WHERE name = ?`,
      )
      .run(at, at, JSON.stringify(result.images), JSON.stringify(result), name);
  }

  syncFailed(name: string, error: RackError): void {
    this.db.prepare('UPDATE racks SET syncing = 0, last_seen = ?, last_error = ? WHERE name = ?').run(error.at, JSON.stringify(error), name);
  }

  /** A sync that ended with no result on record (its job was removed): the rack is no longer syncing. */
  syncEnded(name: string): void {
    this.db.prepare('UPDATE racks SET syncing = 0 WHERE name = ?').run(name);
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM racks WHERE name = ?').run(name).changes > 0;
  }
}
