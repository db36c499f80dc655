import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@bootsync/shared/logging';
import { writeDurably } from '../snapshot/index.js';

/** In the rack's data dir: the live regions the last registration named, `{ "regions": [URL, ...] }`. */
export const REGIONS_FILE = 'regions.json';

/**
 * The regions the last registration named, so a rack whose configured region is gone for good still finds one. A
 * missing file is none; an unreadable or damaged one is logged (rack.regions.unreadable) and counts as none: the
 * configured regions still work, and the next registration writes it anew.
 */
export async function rememberedRegions(dataDir: string, logger: Logger): Promise<string[]> {
  const file = join(dataDir, REGIONS_FILE);
  try {
    const { regions } = JSON.parse(await readFile(file, 'utf8')) as { regions?: unknown };
    if (Array.isArray(regions) && regions.every((url) => typeof url === 'string' && URL.canParse(url))) return regions as string[];
    throw new Error('expected {"regions": [URL, ...]}');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn({ event: 'rack.regions.unreadable', file, err });
    return [];
  }
}

/** Writes the live regions the rack just registered with, atomically (a crash leaves the old file or the new one). */
export async function rememberRegions(dataDir: string, regions: readonly string[]): Promise<void> {
  await writeDurably(dataDir, REGIONS_FILE, `${JSON.stringify({ regions })}\n`);
}
