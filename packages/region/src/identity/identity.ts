import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { BootsyncError } from '@bootsync/shared/errors';
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
  /** 12 lowercase hex characters, stable for the life of the data dir. */
  readonly regionId: string;
  /** Prefix of every Redis key and BullMQ queue of this region, so regions can share one Redis. */
  readonly redisPrefix: string;
}

export function redisPrefixFor(regionId: string): string {
  return `bootsync:region:${regionId}`;
}

/**
 * Reads a small identity file, creating it with `make()` on first run. Created through a temporary file and a
 * hard link so that two processes starting at once (the daemon and `apikey`) agree on one value and a crash never
 * leaves a half-written file.
 */
async function readOrCreate(file: string, pattern: RegExp, expected: string, make: () => string): Promise<string> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${make()}\n`, { mode: 0o600, flag: 'wx' });
    await link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await rm(tmp, { force: true });
  }
  const value = (await readFile(file, 'utf8')).trim();
  if (!pattern.test(value)) throw new IdentityFileError(file, expected);
  return value;
}

/** Creates the data dir layout on first run and returns the region's secret and id. */
export async function ensureRegionIdentity(dataDir: string): Promise<RegionIdentity> {
  const paths = dataDirLayout(dataDir);
  await mkdir(paths.root, { recursive: true, mode: 0o700 });
  await mkdir(paths.store, { recursive: true });
  const secret = await readOrCreate(paths.secret, /^[0-9a-f]{64}$/, '64 hex characters', () => randomBytes(32).toString('hex'));
  // The secret is what racks authenticate with: keep it private even if someone loosened its mode.
  await chmod(paths.secret, 0o600);
  // The database holds API keys: create it private (SQLite gives its -wal and -shm files the same mode).
  await writeFile(paths.database, '', { mode: 0o600, flag: 'a' });
  const regionId = await readOrCreate(paths.regionId, /^[0-9a-f]{12}$/, '12 hex characters', () => randomBytes(6).toString('hex'));
  return { paths, secret, regionId, redisPrefix: redisPrefixFor(regionId) };
}
