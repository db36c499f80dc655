import { BootsyncError } from '@bootsync/shared/errors';
import type { ImportErrorCode } from '../errors/index.js';

/** The import's own errors; those of reading, verifying and downloading come typed from @bootsync/shared. */

export class InvalidScheduleError extends BootsyncError<ImportErrorCode> {
  constructor(readonly expression: string) {
    super('IMPORT_ERR_SCHEDULE', `import schedule "${expression}" is not a valid cron expression`);
  }
}

/** A source that answered with a valid stream listing nothing: treated as unreadable, so it deletes nothing. */
export class EmptySourceError extends BootsyncError<ImportErrorCode> {
  constructor(readonly url: string) {
    super('IMPORT_ERR_EMPTY_SOURCE', `boot source ${url} lists no items; nothing imported or deleted for it`);
  }
}

/**
 * A set with a file the stream gives no sha256 for (md5 or sha512 only): the region's file rows are keyed by
 * sha256, so such a set is skipped and named rather than half-recorded.
 */
export class MissingSha256Error extends BootsyncError<ImportErrorCode> {
  constructor(
    readonly image: string,
    readonly version: string,
    readonly item: string,
  ) {
    super('IMPORT_ERR_NO_SHA256', `${image} ${version}: ${item} has no sha256 in the stream; set not imported`);
  }
}
