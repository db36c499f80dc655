import { sql as init } from './0001-init.js';
import { sql as racks } from './0002-racks.js';
import { sql as bootloaderType } from './0003-bootloader-type.js';
import { sql as apiKeyUsers } from './0005-api-key-users.js';
import { sql as damagedSets } from './0004-damaged-sets.js';

export interface Migration {
  /** Applied in ascending order; recorded in SQLite's `user_version`. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Every migration, in order. Migrations are TS modules exporting SQL so `tsc` ships them in dist/;
 * a new one is a file `NNNN-name.ts` plus one line here. Never edit an applied migration: add the next.
 */
export const migrations: readonly Migration[] = [
  { version: 1, name: '0001-init', sql: init },
  { version: 2, name: '0002-racks', sql: racks },
  { version: 3, name: '0003-bootloader-type', sql: bootloaderType },
  { version: 4, name: '0004-damaged-sets', sql: damagedSets },
  { version: 5, name: '0005-api-key-users', sql: apiKeyUsers },
];
