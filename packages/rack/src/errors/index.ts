import { BootsyncError } from '@bootsync/shared/errors';

/**
 * The codes of @bootsync/rack's errors, `RACK_<WHAT>` (DEVELOPERS.md, "Error codes"). Codes are contracts: logs, the
 * region's rack answers, tests and operators' alerts key on them. Add codes; do not rename them. A rack also raises
 * @bootsync/shared's (`SharedErrorCode`; the protocol's are `RACK_` too).
 */
export type RackErrorCode =
  | 'RACK_CONFIG_INVALID'
  | 'RACK_DATA_DIR_UNWRITABLE'
  | 'RACK_SNAPSHOT_BLOB_MISSING'
  | 'RACK_SNAPSHOT_CONFLICT'
  | 'RACK_SNAPSHOT_PLAN'
  | 'RACK_UNSAFE_ARCHIVE';

/** A configuration value that cannot be used, named by the flag or variable it came from. */
export class RackConfigError extends BootsyncError<RackErrorCode> {
  constructor(
    readonly setting: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super('RACK_CONFIG_INVALID', `${setting}=${JSON.stringify(value)}: ${reason}`);
  }
}

/** A stream item that cannot be placed in the rack tree (a field missing or not a safe path segment). */
export class SnapshotPlanError extends BootsyncError<RackErrorCode> {
  constructor(
    readonly item: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super('RACK_SNAPSHOT_PLAN', `${item}: ${field} ${reason}`);
  }
}

/** Two items claim one path of the snapshot with different contents. */
export class SnapshotConflictError extends BootsyncError<RackErrorCode> {
  constructor(
    readonly path: string,
    readonly first: string,
    readonly second: string,
  ) {
    super('RACK_SNAPSHOT_CONFLICT', `${path} is claimed by both ${first} and ${second} with different contents`);
  }
}

/** A bootloader archive that is unreadable or has a member that would land outside its directory. */
export class UnsafeArchiveError extends BootsyncError<RackErrorCode> {
  constructor(
    readonly archive: string,
    readonly member: string,
    readonly reason: string,
  ) {
    super('RACK_UNSAFE_ARCHIVE', `bootloader archive ${archive}: member ${JSON.stringify(member)} ${reason}`);
  }
}

/** A blob the plan needs is not in the rack's cache, so the snapshot cannot be complete. */
export class SnapshotBlobMissingError extends BootsyncError<RackErrorCode> {
  constructor(
    readonly sha256: string,
    readonly path: string,
  ) {
    super('RACK_SNAPSHOT_BLOB_MISSING', `cannot build ${path}: blob ${sha256} is not in the rack cache`);
  }
}

/**
 * The rack cannot write its data dir (a read-only file system, or permissions): no sync can publish until an
 * operator fixes it; the rack keeps serving the snapshot it has.
 */
export class DataDirUnwritableError extends BootsyncError<RackErrorCode> {
  constructor(
    readonly dataDir: string,
    /** The file system's answer: EROFS, EACCES or EPERM. */
    readonly errno: string,
    /** Where it was refused: the data dir itself, a file in it, or the nearest existing parent of a missing one. */
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    const why = errno === 'EROFS' ? 'read-only file system' : 'permission denied';
    super(
      'RACK_DATA_DIR_UNWRITABLE',
      `rack data dir ${dataDir} cannot be written (${errno}: ${why}, ${path}): make it writable by the rack's user, or point --data-dir elsewhere`,
      options,
    );
  }
}
