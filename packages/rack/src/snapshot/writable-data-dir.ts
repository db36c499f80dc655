import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname, relative, resolve, isAbsolute } from 'node:path';
import { DataDirUnwritableError } from '../errors/index.js';

const REFUSALS = new Set(['EROFS', 'EACCES', 'EPERM']);

/**
 * Creates the data dir if needed and makes sure it can be written, before a sync spends a download on it. A refusal
 * is a `DataDirUnwritableError` naming EROFS/EACCES and the path, also where Node's recursive mkdir would only say
 * ENOENT (what it answers for a missing directory on a read-only file system).
 */
export async function ensureWritableDataDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true });
    await access(dataDir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw unwritableDataDir(dataDir, err) ?? (code === 'ENOENT' ? ((await refusedParent(dataDir)) ?? err) : err);
  }
}

/** A write refused (EROFS, EACCES, EPERM) on a path inside the data dir, as `DataDirUnwritableError`; else undefined. */
export function unwritableDataDir(dataDir: string, err: unknown): DataDirUnwritableError | undefined {
  const { code, path } = (err ?? {}) as NodeJS.ErrnoException;
  if (!code || !REFUSALS.has(code) || path === undefined || !inside(dataDir, path)) return undefined;
  return new DataDirUnwritableError(dataDir, code, path, { cause: err });
}

/** The refusal of the nearest existing parent of a missing data dir, if that is why it could not be created. */
async function refusedParent(dataDir: string): Promise<DataDirUnwritableError | undefined> {
  for (let dir = dirname(resolve(dataDir)); ; dir = dirname(dir)) {
    if (await stat(dir).then(() => true, () => false)) {
      const refusal = await access(dir, constants.W_OK).then(() => undefined, (err: unknown) => err as NodeJS.ErrnoException);
      return refusal?.code && REFUSALS.has(refusal.code) ? new DataDirUnwritableError(dataDir, refusal.code, dir, { cause: refusal }) : undefined;
    }
    if (dir === dirname(dir)) return undefined;
  }
}

function inside(dataDir: string, path: string): boolean {
  const rel = relative(resolve(dataDir), resolve(path));
  return !rel.startsWith('..') && !isAbsolute(rel);
}
