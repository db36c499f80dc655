import { init } from './0001-init.js';
import { racks } from './0002-racks.js';
import { bootloaderType } from './0003-bootloader-type.js';
import { damagedSets } from './0004-damaged-sets.js';
import { apiKeyUsers } from './0005-api-key-users.js';
import { regionIdentity } from './0006-region-identity.js';
import type { Migration } from './migration.js';

export type { Dialect, Migration, MigrationStatements } from './migration.js';

/**
 * Every migration, in order. Migrations are TS modules exporting SQL so `tsc` ships them in dist/; a new one is a
 * file `NNNN-name.ts` with its statements on each dialect (`onBoth` where they agree) plus one line here. Never edit
 * an applied migration: add the next.
 */
export const migrations: readonly Migration[] = [
  { version: 1, name: '0001-init', statements: init },
  { version: 2, name: '0002-racks', statements: racks },
  { version: 3, name: '0003-bootloader-type', statements: bootloaderType },
  { version: 4, name: '0004-damaged-sets', statements: damagedSets },
  { version: 5, name: '0005-api-key-users', statements: apiKeyUsers },
  { version: 6, name: '0006-region-identity', statements: regionIdentity },
];
