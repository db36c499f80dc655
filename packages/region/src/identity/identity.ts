import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { BootsyncError } from '@bootsync/shared/errors';
import type { RegionIdentityKey, RegionIdentityRepository } from '../db/index.js';
import type { IdentityErrorCode } from '../errors/index.js';
import { dataDirLayout, type DataDirLayout } from './data-dir.js';

/** A file of the data dir that exists but does not hold what it must (hand-edited, truncated...). */
export class IdentityFileError extends BootsyncError<IdentityErrorCode> {
  constructor(
    readonly file: string,
    readonly expected: string,
  ) {
    super('REGION_IDENTITY_INVALID', `${file}: expected ${expected}; fix or remove the file`);
  }
}

export interface RegionIdentity {
  readonly paths: DataDirLayout;
  /** 64 lowercase hex characters. */
  readonly secret: string;
  /** 12 lowercase hex characters, stable for the life of the region's database. */
  readonly regionId: string;
  /** Prefix of every Redis key and BullMQ queue of this region, so regions can share one Redis. */
  readonly redisPrefix: string;
  /** Files of the data dir that held another value than the database's, and now hold the database's. */
  readonly replacedFiles: readonly string[];
}

export function redisPrefixFor(regionId: string): string {
  return `bootsync:region:${regionId}`;
}

/**
 * Creates the data dir (the store in it) on first run; with SQLite (`sqliteFile`), its database file too, private
 * before SQLite writes anything in it (SQLite gives its -wal and -shm files the same mode). With PostgreSQL no
 * database file is made.
 */
export async function prepareDataDir(dataDir: string, options: { sqliteFile: boolean }): Promise<DataDirLayout> {
  const paths = dataDirLayout(dataDir);
  await mkdir(paths.root, { recursive: true, mode: 0o700 });
  await mkdir(paths.store, { recursive: true });
  // The database holds API keys.
  if (options.sqliteFile) await writeFile(paths.database, '', { mode: 0o600, flag: 'a' });
  return paths;
}

interface IdentityValue {
  readonly key: RegionIdentityKey;
  readonly file: string;
  readonly pattern: RegExp;
  readonly expected: string;
  make(): string;
}

/** A valid value of the file, or undefined when there is none; a file holding something else is refused. */
async function readIdentityFile(v: IdentityValue): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(v.file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const value = text.trim();
  if (!v.pattern.test(value)) throw new IdentityFileError(v.file, v.expected);
  return value;
}

/** Writes through a temporary file and a rename, so a reader (a rack's --secret-file) never sees half a file. */
async function writeIdentityFile(file: string, value: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${value}\n`, { mode: 0o600, flag: 'wx' });
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * The region's secret and id: the database's, which every region of that database shares. The first region to
 * start on a database stores them: its files' values when it has them (a region that kept them in its data dir
 * before they moved into the database: its racks keep working), else new random ones. The files in the data dir
 * are then written with the database's values (racks read the secret from a copy of that file, --secret-file).
 */
export async function ensureRegionIdentity(paths: DataDirLayout, identities: RegionIdentityRepository): Promise<RegionIdentity> {
  const values: Record<RegionIdentityKey, IdentityValue> = {
    secret: { key: 'secret', file: paths.secret, pattern: /^[0-9a-f]{64}$/, expected: '64 hex characters', make: () => randomBytes(32).toString('hex') },
    region_id: { key: 'region_id', file: paths.regionId, pattern: /^[0-9a-f]{12}$/, expected: '12 hex characters', make: () => randomBytes(6).toString('hex') },
  };
  const replacedFiles: string[] = [];
  const settle = async (v: IdentityValue): Promise<string> => {
    const fromFile = await readIdentityFile(v);
    const stored = await identities.adopt(v.key, fromFile ?? v.make());
    if (!v.pattern.test(stored)) throw new IdentityFileError(`the database's ${v.key}`, v.expected);
    if (stored !== fromFile) {
      await writeIdentityFile(v.file, stored);
      if (fromFile !== undefined) replacedFiles.push(v.file);
    }
    return stored;
  };
  const secret = await settle(values.secret);
  // The secret is what racks authenticate with: keep it private even if someone loosened its mode.
  await chmod(paths.secret, 0o600);
  const regionId = await settle(values.region_id);
  return { paths, secret, regionId, redisPrefix: redisPrefixFor(regionId), replacedFiles };
}
