import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { Downloader, type HttpClientChoice, type RetryPolicy } from '@bootsync/shared/download';
import { bearer, runSyncJob, type RegistrationAnswer, type SyncProgress, type SyncResult, type SyncResultMessage } from '@bootsync/shared/rack-protocol';
import type { BlobSink } from '@bootsync/shared/store';

/** One sync as a rack runs it: a real rack's (sync/rack-sync.ts), or a simulated rack's. */
export type RackSync = (options: { readonly signal: AbortSignal; readonly onProgress: (progress: SyncProgress) => void }) => Promise<SyncResult>;

export interface SyncWorkerOptions {
  readonly rack: string;
  readonly regionUrl: string;
  readonly registration: RegistrationAnswer;
  /** Shared with the worker's other commands; BullMQ duplicates it for its blocking reads. */
  readonly connection: Redis;
  /** Aborts a running sync when the rack stops, so `worker.close()` cannot hang. */
  readonly stopping: AbortSignal;
  readonly sync: RackSync;
  /** Told the error a sync failed with, before its job fails. */
  readonly onFailure: (err: unknown) => void;
}

/**
 * The BullMQ worker on a rack's own queue, one sync at a time, each job run through the protocol (runSyncJob).
 * Every rack runs this one: the daemon and each rack of the simulator (src/simulator).
 */
export function startSyncWorker(options: SyncWorkerOptions): Worker {
  const { rack, regionUrl, registration, stopping } = options;
  const processor = async (job: Job, _token?: string, signal?: AbortSignal): Promise<SyncResultMessage> => {
    const both = AbortSignal.any([stopping, ...(signal ? [signal] : [])]);
    return runSyncJob(job, (onProgress) => options.sync({ signal: both, onProgress }), {
      rack,
      region: regionUrl,
      aborted: () => both.aborted,
      onFailure: options.onFailure,
    });
  };
  return new Worker(registration.queue, processor, { connection: options.connection, prefix: registration.prefix, concurrency: 1 });
}

/**
 * The downloader a rack fetches the region's blobs with: its token on every request, and, with one region, waiting
 * its turn when the region's limit of concurrent rack transfers is reached (503 + Retry-After), not a failure.
 */
export function regionDownloader(options: {
  readonly token: string;
  readonly store: BlobSink;
  readonly httpClient?: HttpClientChoice;
  readonly retry?: Partial<RetryPolicy>;
  /**
   * The rack knows other regions: a file is given up at its first failure, and a busy region's 503 is not waited
   * out, so the rack moves to the next region at once (sync/region-downloads.ts retries the rounds by `retry`).
   */
  readonly failFast?: boolean;
}): Downloader {
  return new Downloader({
    store: options.store,
    headers: { authorization: bearer(options.token) },
    waitWhileBusy: !options.failFast,
    ...(options.httpClient ? { httpClient: options.httpClient } : {}),
    ...(options.failFast ? { retry: { ...options.retry, attempts: 1 } } : options.retry ? { retry: options.retry } : {}),
  });
}
