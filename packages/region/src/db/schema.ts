import type { ColumnType, Generated, SqlBool } from 'kysely';

/**
 * The region's tables as the migrations define them (migrations/), typed as their values come back to the code on
 * both dialects: the repositories are one code path, so the PostgreSQL DDL keeps these shapes.
 * - Dates are ISO 8601 UTC strings with milliseconds (text on both), so they sort and compare the same.
 * - JSON columns are text holding a JSON document; the repositories parse them (rows.ts).
 * - Flags are written as 0/1 (better-sqlite3 binds no booleans; PostgreSQL reads '1' into a boolean column) and come
 *   back as 0/1 from SQLite or as booleans from a PostgreSQL boolean column: `toBool` (rows.ts) reads both.
 * - Integers come back as numbers: byte counts are int8 on PostgreSQL, parsed to numbers by its connection.
 * - Blobs (keyring_data) come back as Buffers.
 */

/** A 0/1 flag: read as either, written as 0/1. */
type Flag = ColumnType<SqlBool, 0 | 1 | undefined, 0 | 1>;
/** A column with a default in the DDL: optional on insert. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface BootSourcesTable {
  id: Generated<number>;
  name: string;
  url: string;
  priority: number;
  enabled: Flag;
  keyring_filename: Defaulted<string>;
  keyring_data: Buffer | null;
  skip_keyring_verification: Flag;
  created: string;
  updated: string;
}

export interface SelectionsTable {
  id: Generated<number>;
  boot_source_id: number;
  os: string;
  release: string;
  /** JSON arrays of strings. */
  arches: Defaulted<string>;
  subarches: Defaulted<string>;
  labels: Defaulted<string>;
  created: string;
  updated: string;
}

export interface SourceCacheTable {
  id: Generated<number>;
  boot_source_id: number;
  os: string;
  release: string;
  arch: string;
  subarch: string;
  kflavor: Defaulted<string>;
  label: string;
  release_title: Defaulted<string>;
  release_codename: Defaulted<string>;
  support_eol: Defaulted<string>;
  bootloader_type: Defaulted<string>;
  product_name: string;
  version_name: string;
  /** JSON array of ProductItem. */
  items: Defaulted<string>;
  /** JSON object. */
  extra: Defaulted<string>;
  read_at: string;
}

export interface BootResourcesTable {
  id: Generated<number>;
  rtype: 'synced' | 'generated' | 'uploaded';
  name: string;
  architecture: string;
  /** JSON object. */
  extra: Defaulted<string>;
  created: string;
  updated: string;
}

export interface ResourceSetsTable {
  id: Generated<number>;
  resource_id: number;
  version: string;
  label: string;
  complete: Flag;
  damaged: Flag;
  created: string;
  updated: string;
}

export interface ResourceFilesTable {
  id: Generated<number>;
  set_id: number;
  filename: string;
  filetype: string;
  sha256: string;
  size: number;
  bytes_done: Defaulted<number>;
  /** JSON object. */
  extra: Defaulted<string>;
}

export interface ImportRunsTable {
  id: Generated<number>;
  started: string;
  finished: string | null;
  outcome: Defaulted<'running' | 'succeeded' | 'failed' | 'partial' | 'stopped'>;
  bytes: Defaulted<number>;
  /** JSON array of ImportRunError. */
  errors: Defaulted<string>;
}

interface ConfigTable {
  key: string;
  /** A JSON value. */
  value: string;
}

export interface ApiKeysTable {
  consumer_key: string;
  token_key: string;
  token_secret: string;
  name: string;
  is_superuser: Flag;
  created: string;
}

/** The region's secret and id (migration 0006), shared by every region of the database. */
interface RegionIdentityTable {
  key: 'secret' | 'region_id';
  value: string;
  created: string;
}

interface GenerationsTable {
  name: string;
  value: number;
}

export interface RacksTable {
  name: string;
  token_sha256: string;
  registered: string;
  last_seen: string | null;
  last_sync: string | null;
  syncing: Flag;
  bytes_done: Defaulted<number>;
  bytes_total: Defaulted<number>;
  /** JSON array of HeldImage. */
  holds: Defaulted<string>;
  /** JSON SyncResult. */
  last_result: string | null;
  /** JSON RackError. */
  last_error: string | null;
}

/** Every table of the region database, by name. */
export interface RegionSchema {
  boot_sources: BootSourcesTable;
  selections: SelectionsTable;
  source_cache: SourceCacheTable;
  boot_resources: BootResourcesTable;
  resource_sets: ResourceSetsTable;
  resource_files: ResourceFilesTable;
  import_runs: ImportRunsTable;
  config: ConfigTable;
  api_keys: ApiKeysTable;
  generations: GenerationsTable;
  region_identity: RegionIdentityTable;
  racks: RacksTable;
}
