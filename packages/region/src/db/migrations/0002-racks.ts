import { withColumnTypes, type MigrationStatements } from './migration.js';

/**
 * Rack controllers known to the region (owned by the racks module, packages/region/src/racks): how each
 * authenticates (a hash of the token it got at registration) and where it stands, as the region last heard.
 */
export const racks: MigrationStatements = withColumnTypes((t) => [
  `CREATE TABLE racks (
  name TEXT${t.ordered} PRIMARY KEY,
  token_sha256 TEXT NOT NULL,
  registered TEXT NOT NULL,
  last_seen TEXT,
  last_sync TEXT,
  syncing INTEGER NOT NULL DEFAULT 0 CHECK (syncing IN (0, 1)),
  bytes_done ${t.int8} NOT NULL DEFAULT 0,
  bytes_total ${t.int8} NOT NULL DEFAULT 0,
  holds TEXT NOT NULL DEFAULT '[]',
  last_result TEXT,
  last_error TEXT
)`,
]);
