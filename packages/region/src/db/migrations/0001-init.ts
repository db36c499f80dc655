import { withColumnTypes, type ColumnTypes, type MigrationStatements } from './migration.js';

/**
 * The region's first schema. Column names follow MAAS's models so the API edge maps them one to one.
 * Dates are ISO 8601 UTC strings with milliseconds (`2026-01-02T03:04:05.678Z`); JSON columns hold arrays/objects.
 * Written once for both dialects (migration.ts: the column types that differ); only the triggers differ.
 */
const tables = (t: ColumnTypes): string[] => [
  `CREATE TABLE boot_sources (
  id ${t.id},
  name TEXT NOT NULL,
  url TEXT NOT NULL UNIQUE,
  priority INTEGER NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  keyring_filename TEXT NOT NULL DEFAULT '',
  keyring_data ${t.blob},
  skip_keyring_verification INTEGER NOT NULL DEFAULT 0 CHECK (skip_keyring_verification IN (0, 1)),
  created TEXT NOT NULL,
  updated TEXT NOT NULL
)`,
  `CREATE TABLE selections (
  id ${t.id},
  boot_source_id INTEGER NOT NULL REFERENCES boot_sources(id) ON DELETE CASCADE,
  os TEXT NOT NULL,
  release TEXT NOT NULL,
  arches TEXT NOT NULL DEFAULT '["*"]',
  subarches TEXT NOT NULL DEFAULT '["*"]',
  labels TEXT NOT NULL DEFAULT '["*"]',
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  UNIQUE (boot_source_id, os, release)
)`,
  // What each source offers, replaced wholesale after each successful read of that source.
  `CREATE TABLE source_cache (
  id ${t.id},
  boot_source_id INTEGER NOT NULL REFERENCES boot_sources(id) ON DELETE CASCADE,
  os TEXT NOT NULL,
  release TEXT NOT NULL,
  arch TEXT NOT NULL,
  subarch TEXT NOT NULL,
  kflavor TEXT NOT NULL DEFAULT '',
  label TEXT NOT NULL,
  release_title TEXT NOT NULL DEFAULT '',
  release_codename TEXT NOT NULL DEFAULT '',
  support_eol TEXT NOT NULL DEFAULT '',
  bootloader_type TEXT NOT NULL DEFAULT '',
  product_name TEXT NOT NULL,
  version_name TEXT NOT NULL,
  items TEXT NOT NULL DEFAULT '[]',
  extra TEXT NOT NULL DEFAULT '{}',
  read_at TEXT NOT NULL
)`,
  `CREATE INDEX source_cache_by_source ON source_cache(boot_source_id)`,
  `CREATE TABLE boot_resources (
  id ${t.id},
  rtype TEXT NOT NULL CHECK (rtype IN ('synced', 'generated', 'uploaded')),
  name TEXT${t.ordered} NOT NULL,
  architecture TEXT${t.ordered} NOT NULL,
  extra TEXT NOT NULL DEFAULT '{}',
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  UNIQUE (name, architecture)
)`,
  `CREATE TABLE resource_sets (
  id ${t.id},
  resource_id INTEGER NOT NULL REFERENCES boot_resources(id) ON DELETE CASCADE,
  version TEXT NOT NULL,
  label TEXT NOT NULL,
  complete INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  UNIQUE (resource_id, version)
)`,
  `CREATE TABLE resource_files (
  id ${t.id},
  set_id INTEGER NOT NULL REFERENCES resource_sets(id) ON DELETE CASCADE,
  filename TEXT${t.ordered} NOT NULL,
  filetype TEXT NOT NULL,
  sha256 TEXT${t.ordered} NOT NULL,
  size ${t.int8} NOT NULL CHECK (size >= 0),
  bytes_done ${t.int8} NOT NULL DEFAULT 0 CHECK (bytes_done >= 0),
  extra TEXT NOT NULL DEFAULT '{}',
  UNIQUE (set_id, filename)
)`,
  `CREATE INDEX resource_files_by_sha256 ON resource_files(sha256)`,
  `CREATE TABLE import_runs (
  id ${t.id},
  started TEXT NOT NULL,
  finished TEXT,
  outcome TEXT NOT NULL DEFAULT 'running'
    CHECK (outcome IN ('running', 'succeeded', 'failed', 'partial', 'stopped')),
  bytes ${t.int8} NOT NULL DEFAULT 0,
  errors TEXT NOT NULL DEFAULT '[]'
)`,
  `CREATE TABLE config (
  key TEXT${t.ordered} PRIMARY KEY,
  value TEXT NOT NULL
)`,
  `CREATE TABLE api_keys (
  consumer_key TEXT NOT NULL,
  token_key TEXT${t.ordered} NOT NULL PRIMARY KEY,
  token_secret TEXT NOT NULL,
  name TEXT${t.ordered} NOT NULL,
  created TEXT${t.ordered} NOT NULL
)`,
  // Bumped by triggers on every change to sources or selections, whoever makes it, so an import that read
  // generation N and sees N+1 at its end knows to start over (MAAS bug 1766370).
  `CREATE TABLE generations (
  name TEXT PRIMARY KEY,
  value ${t.int8} NOT NULL
)`,
  `INSERT INTO generations (name, value) VALUES ('sources', 0)`,
];

const COUNTED = ['boot_sources', 'selections'];

const schema = withColumnTypes(tables);

export const init: MigrationStatements = {
  sqlite: [
    ...schema.sqlite,
    ...COUNTED.flatMap((table) => ['INSERT', 'UPDATE', 'DELETE'].map((op) => [table, op] as const)).map(
      ([table, op]) => `CREATE TRIGGER ${table}_${op.toLowerCase()} AFTER ${op} ON ${table}
  BEGIN UPDATE generations SET value = value + 1 WHERE name = 'sources'; END;`,
    ),
  ],
  postgres: [
    ...schema.postgres,
    // SQLite's triggers as one trigger function, run for each row as SQLite's are: a change counts the same on both.
    `CREATE FUNCTION bump_sources_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE generations SET value = value + 1 WHERE name = 'sources';
  RETURN NULL;
END
$$`,
    ...COUNTED.map(
      (table) => `CREATE TRIGGER ${table}_change AFTER INSERT OR UPDATE OR DELETE ON ${table}
  FOR EACH ROW EXECUTE FUNCTION bump_sources_generation()`,
    ),
  ],
};
