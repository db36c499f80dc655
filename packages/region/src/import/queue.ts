import type { JobsOptions } from 'bullmq';

/**
 * The region's import queue, fenced off like bullmq fences its Lua: its name, the one job name and the job options.
 * Every key lives under the region's own Redis prefix, so regions sharing a Redis never see each other's imports.
 */
export const IMPORT_QUEUE = 'boot-images-import';
export const IMPORT_JOB = 'import';

/** What asked for the import (`repair`: the scrub found a damaged blob); only shown in logs and on the job. */
export type ImportReason = 'startup' | 'schedule' | 'manual' | 'repair';

export interface ImportJobData {
  readonly reason: ImportReason;
}

/**
 * One import at a time: the deduplication key holds while a job waits or runs, so "import now" joins the scheduled
 * run instead of stacking a second one behind it.
 */
export const IMPORT_DEDUP_ID = 'boot-images-import';

export const importJobOptions: JobsOptions = Object.freeze({
  deduplication: { id: IMPORT_DEDUP_ID },
  // An import is re-run by the next trigger rather than retried blindly: its steps already retry what is retryable.
  attempts: 1,
  removeOnComplete: { count: 50 },
  removeOnFail: { count: 50 },
});
