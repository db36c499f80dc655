import type { MigrationStatements } from './migration.js';

/**
 * Bootloader resources record their type in `extra.bootloader_type` (as MAAS's BootResource has `bootloader_type`),
 * which the region stream publishes. Rows imported before that are named `<package>/<bootloader type>`: fill it in
 * from the name, so a region upgraded between imports keeps offering its bootloaders to racks.
 * Nothing to do on PostgreSQL: regions run on it only from versions that record the type, so a PostgreSQL database
 * has no row to fill in when it passes this migration (`migrate-db` copies a SQLite region already migrated).
 */
export const bootloaderType: MigrationStatements = {
  sqlite: [
    `UPDATE boot_resources
SET extra = json_set(extra, '$.bootloader_type', substr(name, instr(name, '/') + 1))
WHERE rtype = 'synced'
  AND substr(name, instr(name, '/') + 1) IN ('pxe', 'uefi', 'open-firmware')
  AND json_extract(extra, '$.bootloader_type') IS NULL`,
  ],
  postgres: [],
};
