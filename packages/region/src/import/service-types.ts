import type { Backoff, RetryPolicy } from '@bootsync/shared/download';
import type { Logger } from '@bootsync/shared/logging';
import type { Db } from '../db/connection.js';
import type { ImportOutcome as RunOutcome, ImportRun } from '../db/types.js';
import type { ImportReason } from './queue.js';

/** How a finished import run ended; `partial` = some sets failed while others completed. */
export type ImportOutcome = Exclude<RunOutcome, 'running'>;

/** Emitted once per finished run; `changed` tells whether a set completed or anything was deleted. */
export interface ImportFinishedEvent {
  readonly runId: number;
  readonly outcome: ImportOutcome;
  readonly changed: boolean;
  readonly bytes: number;
  readonly ms: number;
}

/** The metrics the import records; the region's metrics module satisfies it with prom-client objects. */
export interface ImportMetrics {
  readonly bytesDownloaded: { inc(value: number): void };
  readonly filesVerified: { inc(): void };
  readonly checksumFailures: { inc(): void };
  /** Blobs of damaged sets (missing, or moved aside by the scrub) fetched again. */
  readonly storeRepairs: { inc(): void };
  readonly importDuration: { observe(labels: { outcome: ImportOutcome }, seconds: number): void };
  readonly importsTotal: { inc(labels: { outcome: ImportOutcome }): void };
  readonly lastSuccessfulImport: { set(unixSeconds: number): void };
}

/** Retry budget for reading a source; injected shorter in tests. The backoff's cap and jitter are the downloads'. */
export interface SourceReadRetry extends Partial<Pick<Backoff, 'maxDelayMs' | 'jitter'>> {
  /** @defaultValue 60_000 (a minute at most, as the issue says) */
  readonly budgetMs: number;
  /** @defaultValue 1_000 */
  readonly baseDelayMs: number;
}

export interface ImportServiceDeps {
  /** The region's SQLite database (better-sqlite3 handle), already migrated. */
  readonly db: Db;
  readonly redisUrl: string;
  /** Key prefix of this region in Redis (its id): the import queue and its keys live only under it. */
  readonly redisPrefix: string;
  /** Root of the content-addressed store (`<data dir>/store`). */
  readonly storeRoot: string;
  /**
   * A node-cron expression (`--import-schedule`): when given it wins; without it imports run every
   * `boot_images_import_interval_minutes` (60 by default), read at each check.
   */
  readonly schedule?: string | undefined;
  /** Complete sets kept per image. @defaultValue 1 */
  readonly retention?: number;
  /** Largest index or products document read from a source; a larger one fails its read (SS_ERR_TOO_LARGE). @defaultValue 64 MiB */
  readonly maxDocumentSize?: number;
  readonly logger: Logger;
  readonly metrics?: ImportMetrics;
  /** Knobs with production defaults; tests shorten the retries. */
  readonly tuning?: Partial<ImportTuning>;
}

export interface ImportTuning {
  /** Files downloaded at once. @defaultValue 4 */
  readonly concurrency: number;
  readonly sourceReadRetry: SourceReadRetry;
  /** The downloader's retry policy (its defaults when absent). */
  readonly downloadRetry: Partial<RetryPolicy>;
  /** How often download progress is written to the file rows. @defaultValue 500 */
  readonly progressIntervalMs: number;
  /** How often a running import checks whether sources or selections changed. @defaultValue 250 */
  readonly sourcesCheckMs: number;
  /** A minute of `boot_images_import_interval_minutes`; tests shorten it. @defaultValue 60_000 */
  readonly minuteMs: number;
}

export interface TriggerResult {
  readonly jobId: string;
  /** True when an import was already queued or running and this request joined it. */
  readonly deduplicated: boolean;
}

export interface ImportService {
  /** Starts the worker and the schedule; queues an import at once while `boot_images_auto_import` is true. */
  start(): Promise<void>;
  /** Stops the schedule, aborts a running import (partials kept) and closes queue, worker and connections. */
  stop(): Promise<void>;
  /**
   * "Import now": queues an import unless one is queued or running already; during stop-import, a fresh one after
   * it. `reason` is logged. @defaultValue 'manual'
   */
  triggerImport(reason?: ImportReason): Promise<TriggerResult>;
  /** Cancels the running import within 2 s (partials kept), drops a queued one, and resolves once it has ended. */
  stopImport(): Promise<void>;
  /** True while an import is queued or running. */
  isImporting(): Promise<boolean>;
  /** The newest `n` import runs, newest first. */
  lastRuns(n: number): readonly ImportRun[];
  /** Called after every run; returns the unsubscribe function. The rack side enqueues syncs when `changed`. */
  onImportFinished(listener: (event: ImportFinishedEvent) => void): () => void;
}
