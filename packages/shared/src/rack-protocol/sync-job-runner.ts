import { BootsyncError } from '../errors/index.js';
import { readSyncJobData } from './sync-job.js';
import { failureOf, failureReason, progressMessage, resultMessage, type RackFailure, type SyncProgress, type SyncResult, type SyncResultMessage } from './sync-messages.js';

/** What a rack's worker needs of a BullMQ job (a `Job` satisfies it). */
export interface SyncJob {
  readonly data: unknown;
  updateProgress(progress: object): Promise<void>;
}

/**
 * The error a sync job fails with: its message is the failure as the region reads it (readFailure). Its code is the
 * failure's, any package's (a store's, the rack's...): a string, as on the wire.
 */
export class SyncJobFailedError extends BootsyncError<RackFailure['code']> {
  constructor(
    readonly failure: RackFailure,
    options?: { cause?: unknown },
  ) {
    super(failure.code, failureReason(failure), options);
  }
}

export interface SyncJobContext {
  readonly rack: string;
  readonly region: string;
  /** Whether the sync was stopped (the rack stopping, the job cancelled): an error then reads RACK_SYNC_ABORTED. */
  readonly aborted: () => boolean;
  /** Told the error a sync failed with, before the job fails with SyncJobFailedError. */
  readonly onFailure?: (err: unknown) => void;
}

/**
 * The rack's side of one sync job: refuses a job queued by a region of another protocol version, runs `sync` with
 * its progress reported to the region, and returns what it serves or fails with a structured failure.
 */
export async function runSyncJob(
  job: SyncJob,
  sync: (onProgress: (progress: SyncProgress) => void) => Promise<SyncResult>,
  context: SyncJobContext,
): Promise<SyncResultMessage> {
  try {
    readSyncJobData(job.data, context);
    // A lost progress report is not worth failing a sync for: the result says where it ended.
    const result = await sync((progress) => void job.updateProgress(progressMessage(progress)).catch(() => undefined));
    return resultMessage(result);
  } catch (err) {
    context.onFailure?.(err);
    throw new SyncJobFailedError(failureOf(err, { aborted: context.aborted() }), { cause: err });
  }
}
