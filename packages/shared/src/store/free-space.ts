import { statfs } from 'node:fs/promises';
import { InsufficientSpaceError } from './errors.js';

/** Bytes an unprivileged process can still write on the file system holding `dir`. */
export async function availableBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

export async function ensureFreeSpace(dir: string, needed: number): Promise<void> {
  const available = await availableBytes(dir);
  if (available < needed) throw new InsufficientSpaceError(dir, needed, available);
}
