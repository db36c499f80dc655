import { BootsyncError } from '@bootsync/shared/errors';
import type { MirrorErrorCode } from '../errors/index.js';
import { ChecksumMismatchError, SizeMismatchError } from '@bootsync/shared/download';

/** Two items of the stream at one path with different content, or an item where the mirror keeps its own files. */
export class MirrorPathConflictError extends BootsyncError<MirrorErrorCode> {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super('MIRROR_ERR_PATH_CONFLICT', `cannot mirror ${path}: ${reason}`);
  }
}

/** Another `bootsync stream mirror` is writing the same directory. */
export class MirrorLockedError extends BootsyncError<MirrorErrorCode> {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super('MIRROR_ERR_LOCKED', `${dir} is being written by another bootsync stream mirror (pid ${pid}); wait for it, or remove its lock if that process is gone`);
  }
}

/** Files that could not be fetched: the mirror kept what it had (documents unchanged, nothing removed). */
export class MirrorIncompleteError extends BootsyncError<MirrorErrorCode> {
  /** Bad bytes from the source (checksum or size) rather than a source or disk out of reach. */
  readonly badData: boolean;

  constructor(
    readonly dir: string,
    readonly failures: readonly { readonly path: string; readonly error: Error }[],
  ) {
    const first = failures[0];
    super(
      'MIRROR_ERR_INCOMPLETE',
      `${failures.length} file(s) could not be mirrored into ${dir}, the documents there are unchanged and the next run resumes; ` +
        `first: ${first?.path}: ${first?.error.message}`,
      { cause: first?.error },
    );
    this.badData = failures.some((f) => f.error instanceof ChecksumMismatchError || f.error instanceof SizeMismatchError);
  }
}
