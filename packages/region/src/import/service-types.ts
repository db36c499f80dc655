import type { Backoff, RetryPolicy } from '@bootsync/shared/download';
import type { Logger } from '@bootsync/shared/logging';
import type { RedisSentinel } from '@bootsync/shared/redis';
import type { ContentStore } from '@bootsync/shared/store';
import type { Repositories } from '../db/repositories.js';
import type { ImportOutcome as RunOutcome } from '../db/types.js';

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
  /** The region's repositories, built once by the composition root. */
  readonly repos: Repositories;
  /** The region's content store (`<data dir>/store`), which the uploads, the region stream and the scrub share. */
  readonly store: ContentStore;
  readonly redisUrl: string;
  /** Through Redis Sentinel (--redis-sentinels): the Sentinels name the master, `redisUrl` gives its credentials. */
  readonly redisSentinel?: RedisSentinel;
  /** Key prefix of this region in Redis (its id): the import queue and its keys live only under it. */
  readonly redisPrefix: string;
  /**
   * A node-cron expression (`--import-schedule`): when given it wins; without it imports run every
   * `boot_images_import_interval_minutes` (60 by default), read at each check.
   */
  readonly schedule?: string | undefined;
  /** Complete sets kept per image (`--retention`). */
  readonly retention: number;
  /** Largest index or products document read from a source; a larger one fails its read (SS_ERR_TOO_LARGE). @defaultValue 64 MiB */
  readonly maxDocumentSize?: number;
  /** `--download-client`: the HTTP client of plain-http downloads (bootsync or undici). @defaultValue 'bootsync' */
  readonly downloadClient?: string;
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
