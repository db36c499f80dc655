/**
 * The region's first schema. Column names follow MAAS's models so the API edge maps them one to one.
 * Dates are ISO 8601 UTC strings with milliseconds (`2026-01-02T03:04:05.678Z`); JSON columns hold arrays/objects.
 */
const generationTriggers = ['boot_sources', 'selections']
  .flatMap((table) => ['INSERT', 'UPDATE', 'DELETE'].map((op) => [table, op] as const))
  .map(
    ([table, op]) => `CREATE TRIGGER ${table}_${op.toLowerCase()} AFTER ${op} ON ${table}
  BEGIN UPDATE generations SET value = value + 1 WHERE name = 'sources'; END;`,
  )
  .join('\n');

export const sql = `
CREATE TABLE boot_sources (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  url TEXT NOT NULL UNIQUE,
  priority INTEGER NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  keyring_filename TEXT NOT NULL DEFAULT '',
  keyring_data BLOB,
  skip_keyring_verification INTEGER NOT NULL DEFAULT 0 CHECK (skip_keyring_verification IN (0, 1)),
  created TEXT NOT NULL,
  updated TEXT NOT NULL
);

CREATE TABLE selections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  boot_source_id INTEGER NOT NULL REFERENCES boot_sources(id) ON DELETE CASCADE,
  os TEXT NOT NULL,
  release TEXT NOT NULL,
  arches TEXT NOT NULL DEFAULT '["*"]',
  subarches TEXT NOT NULL DEFAULT '["*"]',
  labels TEXT NOT NULL DEFAULT '["*"]',
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  UNIQUE (boot_source_id, os, release)
);

-- What each source offers, replaced wholesale after each successful read of that source.
CREATE TABLE source_cache (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
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
);
CREATE INDEX source_cache_by_source ON source_cache(boot_source_id);

CREATE TABLE boot_resources (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rtype TEXT NOT NULL CHECK (rtype IN ('synced', 'generated', 'uploaded')),
  name TEXT NOT NULL,
  architecture TEXT NOT NULL,
  extra TEXT NOT NULL DEFAULT '{}',
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  UNIQUE (name, architecture)
);

CREATE TABLE resource_sets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  resource_id INTEGER NOT NULL REFERENCES boot_resources(id) ON DELETE CASCADE,
  version TEXT NOT NULL,
  label TEXT NOT NULL,
  complete INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  UNIQUE (resource_id, version)
);

CREATE TABLE resource_files (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  set_id INTEGER NOT NULL REFERENCES resource_sets(id) ON DELETE CASCADE,
  filename TEXT NOT NULL,
  filetype TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size >= 0),
  bytes_done INTEGER NOT NULL DEFAULT 0 CHECK (bytes_done >= 0),
  extra TEXT NOT NULL DEFAULT '{}',
  UNIQUE (set_id, filename)
);
CREATE INDEX resource_files_by_sha256 ON resource_files(sha256);

CREATE TABLE import_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started TEXT NOT NULL,
  finished TEXT,
  outcome TEXT NOT NULL DEFAULT 'running'
    CHECK (outcome IN ('running', 'succeeded', 'failed', 'partial', 'stopped')),
  bytes INTEGER NOT NULL DEFAULT 0,
  errors TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE config (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE api_keys (
  consumer_key TEXT NOT NULL,
  token_key TEXT NOT NULL PRIMARY KEY,
  token_secret TEXT NOT NULL,
  name TEXT NOT NULL,
  created TEXT NOT NULL
);

-- Bumped by triggers on every change to sources or selections, whoever makes it, so an import that read
-- generation N and sees N+1 at its end knows to start over (MAAS bug 1766370).
CREATE TABLE generations (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO generations (name, value) VALUES ('sources', 0);
${generationTriggers}
`;
