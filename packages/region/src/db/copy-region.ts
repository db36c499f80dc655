import { sql, type Kysely, type RawBuilder } from 'kysely';
import { BootsyncError } from '@bootsync/shared/errors';
import type { DatabaseErrorCode } from '../errors/index.js';
import type { RegionDatabase } from './database.js';
import type { RegionSchema } from './schema.js';

/**
 * Every table of a region, parents before children (foreign keys), with the columns its rows are ordered by, and
 * whether its id comes from an identity sequence (PostgreSQL) to move past the copied ids.
 */
export const REGION_TABLES: readonly { readonly name: keyof RegionSchema & string; readonly orderBy: string; readonly identity: boolean }[] = [
  { name: 'boot_sources', orderBy: 'id', identity: true },
  { name: 'selections', orderBy: 'id', identity: true },
  { name: 'source_cache', orderBy: 'id', identity: true },
  { name: 'boot_resources', orderBy: 'id', identity: true },
  { name: 'resource_sets', orderBy: 'id', identity: true },
  { name: 'resource_files', orderBy: 'id', identity: true },
  { name: 'import_runs', orderBy: 'id', identity: true },
  { name: 'racks', orderBy: 'name', identity: false },
  { name: 'api_keys', orderBy: 'token_key', identity: false },
  { name: 'config', orderBy: 'key', identity: false },
  { name: 'region_identity', orderBy: 'key', identity: false },
  { name: 'generations', orderBy: 'name', identity: false },
];

/** `generations` holds its one counter from the first migration on: a region that never ran has it too. */
const SEEDED_BY_MIGRATIONS = new Set(['generations']);

/** `migrate-db` writes only into a database no region has used: it never merges two regions. */
export class TargetNotEmptyError extends BootsyncError<DatabaseErrorCode> {
  constructor(
    readonly target: string,
    readonly tables: readonly string[],
  ) {
    super(
      'DB_TARGET_NOT_EMPTY',
      `${target} already holds a region (rows in ${tables.join(', ')}): migrate-db copies into an empty database only; ` +
        `create a new one (createdb) or drop this one's tables first`,
    );
  }
}

/** Rows a table holds, in its order. */
export async function tableRows(db: Kysely<RegionSchema>, table: string, orderBy: string): Promise<Record<string, unknown>[]> {
  const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)} ORDER BY ${sql.ref(orderBy)}`.execute(db);
  return rows;
}

/** Rows per INSERT: well under PostgreSQL's 65535 parameters for the widest table (17 columns). */
const BATCH = 500;

function insertRows(table: string, rows: readonly Record<string, unknown>[]): RawBuilder<unknown> {
  const columns = Object.keys(rows[0] ?? {});
  const values = rows.map((row) => sql`(${sql.join(columns.map((c) => row[c]))})`);
  return sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) VALUES ${sql.join(values)}`;
}

/**
 * Copies a region's every row from `from` (its SQLite database) into `to` (an empty PostgreSQL database), both
 * migrated to this version, in one transaction: the target holds the whole region or nothing of it. Ids are kept
 * (the racks and the API name sources and selections by id), and each identity sequence moves past them.
 * Returns the rows copied per table.
 */
export async function copyRegion(from: RegionDatabase, to: RegionDatabase, target: string): Promise<Record<string, number>> {
  const busy: string[] = [];
  for (const { name } of REGION_TABLES) {
    if (SEEDED_BY_MIGRATIONS.has(name)) continue;
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(name)}`.execute(to.kysely);
    if (Number(rows[0]?.n ?? 0) > 0) busy.push(name);
  }
  if (busy.length > 0) throw new TargetNotEmptyError(target, busy);

  const copied: Record<string, number> = {};
  await to.kysely.transaction().execute(async (trx) => {
    for (const { name, orderBy, identity } of REGION_TABLES) {
      const rows = await tableRows(from.kysely, name, orderBy);
      // The migrations' own rows are replaced by the source's (inserting sources moved the counter meanwhile).
      if (SEEDED_BY_MIGRATIONS.has(name)) await sql`DELETE FROM ${sql.table(name)}`.execute(trx);
      for (let i = 0; i < rows.length; i += BATCH) await insertRows(name, rows.slice(i, i + BATCH)).execute(trx);
      if (identity) {
        await sql`SELECT setval(pg_get_serial_sequence(${name}, 'id'), coalesce(max(id), 0) + 1, false) FROM ${sql.table(name)}`.execute(trx);
      }
      copied[name] = rows.length;
    }
  });
  return copied;
}
