import { onBoth, type MigrationStatements } from './migration.js';

/**
 * The region's secret (what racks authenticate with) and its id (the prefix of its Redis keys) move into the
 * database, so every region of one database shares them; the files in --data-dir become copies of these rows
 * (identity/identity.ts: a region that had them adopts its files' values on its first start of this version).
 */
export const regionIdentity: MigrationStatements = onBoth([
  `CREATE TABLE region_identity (
  key TEXT PRIMARY KEY CHECK (key IN ('secret', 'region_id')),
  value TEXT NOT NULL,
  created TEXT NOT NULL
)`,
]);
