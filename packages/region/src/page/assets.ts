import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BootsyncError } from '@bootsync/shared/errors';
import type { PageErrorCode } from '../errors/index.js';

/**
 * The page's files live as plain files in `src/page/assets/`. This module sits at `src/page/` in the sources and
 * at `dist/page/` once built, so `../../src/page/assets/` names the same folder from both.
 */
export const PAGE_ASSET_DIR = fileURLToPath(new URL('../../src/page/assets/', import.meta.url));

/** What the page is made of: the only names served under the assets path (no path from a request reaches the disk). */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'images.css': 'text/css; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'busy.js': 'text/javascript; charset=utf-8',
  'format.js': 'text/javascript; charset=utf-8',
  'choices.js': 'text/javascript; charset=utf-8',
  'source.js': 'text/javascript; charset=utf-8',
  'selection.js': 'text/javascript; charset=utf-8',
  'table.js': 'text/javascript; charset=utf-8',
  'custom-images.js': 'text/javascript; charset=utf-8',
  'racks.js': 'text/javascript; charset=utf-8',
  'live.js': 'text/javascript; charset=utf-8',
  'readonly.js': 'text/javascript; charset=utf-8',
  'main.js': 'text/javascript; charset=utf-8',
};

export interface PageAsset {
  readonly name: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/** A page file is not where the build put it: the region would serve a broken page, so it refuses to start. */
export class PageAssetMissingError extends BootsyncError<PageErrorCode> {
  readonly file: string;

  constructor(file: string, cause: unknown) {
    super('PAGE_ASSET_MISSING', `Images page file ${file} cannot be read: ${(cause as Error).message}`, { cause });
    this.file = file;
  }
}

/** Reads every page file once, at start-up; they are small and never change while the region runs. */
export function loadPageAssets(dir: string = PAGE_ASSET_DIR): ReadonlyMap<string, PageAsset> {
  const assets = new Map<string, PageAsset>();
  for (const [name, contentType] of Object.entries(FILES)) {
    const file = `${dir.replace(/\/$/, '')}/${name}`;
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch (err) {
      throw new PageAssetMissingError(file, err);
    }
    assets.set(name, { name, contentType, body });
  }
  return assets;
}
