/**
 * Bootloader resources record their type in `extra.bootloader_type` (as MAAS's BootResource has `bootloader_type`),
 * which the region stream publishes. Rows imported before that are named `<package>/<bootloader type>`: fill it in
 * from the name, so a region upgraded between imports keeps offering its bootloaders to racks.
 */
export const sql = `
UPDATE boot_resources
SET extra = json_set(extra, '$.bootloader_type', substr(name, instr(name, '/') + 1))
WHERE rtype = 'synced'
  AND substr(name, instr(name, '/') + 1) IN ('pxe', 'uefi', 'open-firmware')
  AND json_extract(extra, '$.bootloader_type') IS NULL;
`;
