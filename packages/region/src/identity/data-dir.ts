import { join } from 'node:path';

/** Where everything of one region lives under its data dir. */
export interface DataDirLayout {
  readonly root: string;
  /** SQLite database (with its -wal and -shm files beside it). */
  readonly database: string;
  /** 64 hex characters, mode 0600: the shared secret racks present. */
  readonly secret: string;
  /** This region's id; prefixes its Redis keys and queues. */
  readonly regionId: string;
  /** The content-addressed store of image files. */
  readonly store: string;
}

export function dataDirLayout(root: string): DataDirLayout {
  return {
    root,
    database: join(root, 'region.db'),
    secret: join(root, 'secret'),
    regionId: join(root, 'region-id'),
    store: join(root, 'store'),
  };
}
