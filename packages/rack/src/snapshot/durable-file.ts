import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncPath } from './current-link.js';

/**
 * Writes `name` in `dir` through a temporary file, synced, renamed over it and the directory synced: after a crash
 * the file holds the old text or the new, never part of either.
 */
export async function writeDurably(dir: string, name: string, text: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, name);
  const tmp = `${file}.tmp`;
  await writeFile(tmp, text);
  await fsyncPath(tmp);
  await rename(tmp, file);
  await fsyncPath(dir);
}
