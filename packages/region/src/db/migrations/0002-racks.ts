/**
 * Rack controllers known to the region (owned by the racks module, packages/region/src/racks): how each
 * authenticates (a hash of the token it got at registration) and where it stands, as the region last heard.
 */
export const sql = `
CREATE TABLE racks (
  name TEXT PRIMARY KEY,
  token_sha256 TEXT NOT NULL,
  registered TEXT NOT NULL,
  last_seen TEXT,
  last_sync TEXT,
  syncing INTEGER NOT NULL DEFAULT 0 CHECK (syncing IN (0, 1)),
  bytes_done INTEGER NOT NULL DEFAULT 0,
  bytes_total INTEGER NOT NULL DEFAULT 0,
  holds TEXT NOT NULL DEFAULT '[]',
  last_result TEXT,
  last_error TEXT
);
`;
